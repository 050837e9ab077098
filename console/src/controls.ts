/**
 * The Fluent components no first view needs (forms, actions, messages): loaded right after the first
 * page is drawn, so the first view waits only for what it shows. An element drawn before its
 * definition arrives is upgraded in place when it does.
 */
import "@fluentui/web-components/button.js";
import "@fluentui/web-components/checkbox.js";
import "@fluentui/web-components/field.js";
import "@fluentui/web-components/message-bar.js";
import "@fluentui/web-components/radio.js";
import "@fluentui/web-components/radio-group.js";
import "@fluentui/web-components/spinner.js";
import "@fluentui/web-components/text-input.js";
