import { describe, expect, it } from 'vitest';
import { attr, escapeHtml, html, Html, trusted } from '../../../../src/admin/views/html.js';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `<script>alert("x")</script> & 'quoted'`;
    const out = html`<p title="${name}">${name}</p>`.text;
    expect(out).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</p>');
    expect(out).not.toContain('<script>');
  });

  it('keeps fragments built with html as markup, flattens lists and drops null, undefined and booleans', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${true}${0}`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });

  it('takes only Html as markup: a string that looks like markup is still text', () => {
    expect(html`${'<b>x</b>'}`.text).toBe('&lt;b&gt;x&lt;/b&gt;');
    expect(html`${trusted('<b>x</b>')}`.text).toBe('<b>x</b>');
    expect(new Html('<i>').toString()).toBe('<i>');
  });

  it('writes boolean attributes only when on, with their value escaped', () => {
    expect(html`<option${attr('selected', true)}>`.text).toBe('<option selected>');
    expect(html`<option${attr('selected', false)}>`.text).toBe('<option>');
    expect(html`<a${attr('aria-current', true, 'pa"ge')}>`.text).toBe('<a aria-current="pa&quot;ge">');
  });

  it('escapeHtml escapes the five characters that matter', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
