// What the first view shows (tabs and status badges); the other components follow in controls.ts.
import "@fluentui/web-components/badge.js";
import "@fluentui/web-components/tab.js";
import "@fluentui/web-components/tablist.js";
import { setTheme } from "@fluentui/web-components";
import { webLightTheme } from "@fluentui/tokens";
import { startConsole } from "./app.js";
import { CSS } from "./styles.js";

setTheme(webLightTheme);
const style = document.createElement("style");
style.textContent = CSS;
document.head.append(style);
const root = document.getElementById("app");
if (root) startConsole(root, () => void import("./controls.js"));
