/**
 * "41 min 12 s": minutes up to two hours because that is how RTO targets are stated ("60 min"),
 * hours beyond; "—" for a figure that is not a number, so neither a page nor a notification says NaN.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  const total = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(total / 60);
  const secs = total % 60;
  if (minutes >= 120) return [`${Math.floor(minutes / 60)} h`, minutes % 60 ? `${minutes % 60} min` : ""].filter(Boolean).join(" ");
  return [minutes ? `${minutes} min` : "", secs || !minutes ? `${secs} s` : ""].filter(Boolean).join(" ");
}
