import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { html, joinHtml, type HtmlValue } from "../../shared/reports/html.js";

/** The five characters the tag must escape, written out independently of the code under test. */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

describe("html tagged template", () => {
  it("escapes interpolated text in element content and in attribute values", () => {
    const hostile = `"><img src=x onerror=alert('x')> & <script>`;
    expect(String(html`<p title="${hostile}">${hostile}</p>`)).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt; &amp; &lt;script&gt;">&quot;&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt; &amp; &lt;script&gt;</p>',
    );
  });

  it("keeps the template's own markup, and inserts markup values and arrays of them as they are", () => {
    const item = (text: string) => html`<li>${text}</li>`;
    expect(String(html`<ul>${[item("a<b"), item("c")]}</ul>`)).toBe("<ul><li>a&lt;b</li><li>c</li></ul>");
    expect(String(html`<div>${html`<b>${"&"}</b>`}</div>`)).toBe("<div><b>&amp;</b></div>");
  });

  it("renders numbers as text, and null, undefined and false as nothing", () => {
    expect(String(html`<i>${0}</i><i>${-1.5}</i><i>${NaN}</i>`)).toBe("<i>0</i><i>-1.5</i><i>NaN</i>");
    expect(String(html`[${null}][${undefined}][${false}][${""}]`)).toBe("[][][][]");
  });

  it("escapes a string that looks like markup, and anything that merely pretends to be markup", () => {
    const forged = { toString: () => "<b>forged</b>" } as unknown as HtmlValue;
    expect(String(html`${forged}`)).toBe("&lt;b&gt;forged&lt;/b&gt;");
    expect(String(html`${"<b>text</b>"}`)).toBe("&lt;b&gt;text&lt;/b&gt;");
  });

  it("joins items with an escaped text separator", () => {
    expect(String(joinHtml([html`<a>1</a>`, "x&y", null, html`<a>2</a>`], " & "))).toBe("<a>1</a> &amp; x&amp;y &amp;  &amp; <a>2</a>");
    expect(String(joinHtml([], "\n"))).toBe("");
  });

  it("leaves no character of any text unescaped (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const out = String(html`<p a="${text}">${text}</p>`);
        expect(out).toBe(`<p a="${escaped(text)}">${escaped(text)}</p>`);
      }),
    );
  });
});
