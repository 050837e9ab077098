/** Durations as people read them in a report: "42 s", "17 min", "3 h 5 min", "4.5 days". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.round((hours / 24) * 10) / 10;
  return `${days} days`;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function ageMs(now: Date, then: Date): number {
  return now.getTime() - then.getTime();
}

export function isoOf(date: Date): string {
  return date.toISOString();
}

/** A reason assembled from parts reads as a sentence: its first letter in capitals. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
