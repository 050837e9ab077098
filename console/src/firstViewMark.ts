/** The performance mark the console sets when its first page is drawn with its data (npm run console:screenshots reads it). */
export const FIRST_VIEW_MARK = "console:first-view";
