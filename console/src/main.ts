import "@fluentui/web-components/badge.js";
import "@fluentui/web-components/button.js";
import "@fluentui/web-components/checkbox.js";
import "@fluentui/web-components/message-bar.js";
import "@fluentui/web-components/spinner.js";
import "@fluentui/web-components/tab.js";
import "@fluentui/web-components/tablist.js";
import "@fluentui/web-components/text-input.js";
import { setTheme } from "@fluentui/web-components";
import { webLightTheme } from "@fluentui/tokens";
import { startConsole } from "./app.js";
import { CSS } from "./styles.js";

setTheme(webLightTheme);
const style = document.createElement("style");
style.textContent = CSS;
document.head.append(style);
const root = document.getElementById("app");
if (root) startConsole(root);
