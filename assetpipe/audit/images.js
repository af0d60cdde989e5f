// Run once a page has settled (page.evaluate(source, dims)): every visible <img> with its
// rendered CSS box, the intrinsic size of the file it shows (read from a fresh Image, since an
// <img> with srcset reports a density-corrected naturalWidth), its width/height attributes, and
// two probes that change the element and restore it at once:
// - dimensionsSafe: with width/height attributes equal to the source image's size (dims[path],
//   what the build writes; else the file's own size), is the rendered box unchanged?
// - sizeDepends: with width="1" height="1", does the box change? Then the image's own size (not
//   CSS) sets its box, so it shifts the layout when it arrives unless it has both attributes.
async (dims) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const same = (a, b) => Math.abs(a[0] - b[0]) < 0.5 && Math.abs(a[1] - b[1]) < 0.5;
  const probe = (el, w, h) => {
    const had = [el.getAttribute('width'), el.getAttribute('height')];
    el.setAttribute('width', String(w));
    el.setAttribute('height', String(h));
    const got = box(el);
    for (const [name, value] of [['width', had[0]], ['height', had[1]]]) {
      if (value === null) el.removeAttribute(name); else el.setAttribute(name, value);
    }
    return got;
  };
  const intrinsic = async (url) => {
    const im = new Image();
    im.src = url;
    try { await im.decode(); } catch (e) { return null; }
    return [im.naturalWidth, im.naturalHeight];
  };
  const out = [];
  for (const img of [...document.images]) {
    const url = img.currentSrc || img.src;
    if (!url || !img.complete || !img.naturalWidth) continue;
    const cs = getComputedStyle(img);
    const rendered = box(img);
    if (rendered[0] <= 1 || rendered[1] <= 1 || cs.visibility === 'hidden') continue;
    const size = await intrinsic(url);
    if (!size || !size[0] || !size[1]) continue;
    let path = url;
    try { path = new URL(url, location.href).pathname; } catch (e) { /* keep url */ }
    const src = dims[path] || size;
    // the content box: what the picture is drawn into (padding and border excluded, as
    // Lighthouse's displayed size: img.width/img.height); the aspect-ratio check compares it
    const px = (name) => parseFloat(cs.getPropertyValue(name)) || 0;
    const content = [
      rendered[0] - px('padding-left') - px('padding-right') - px('border-left-width') - px('border-right-width'),
      rendered[1] - px('padding-top') - px('padding-bottom') - px('border-top-width') - px('border-bottom-width'),
    ];
    out.push({
      src: img.getAttribute('src'),
      url,
      width: rendered[0],
      height: rendered[1],
      content_width: content[0],
      content_height: content[1],
      natural_width: size[0],
      natural_height: size[1],
      has_width: img.hasAttribute('width'),
      has_height: img.hasAttribute('height'),
      object_fit: cs.objectFit,
      position: cs.position,
      pixelated: cs.imageRendering === 'pixelated' || cs.imageRendering === 'crisp-edges',
      in_picture: !!(img.parentElement && img.parentElement.localName === 'picture'),
      top: img.getBoundingClientRect().top + window.scrollY,
      dimensions_safe: same(probe(img, src[0], src[1]), rendered),
      size_depends: !same(probe(img, 1, 1), rendered),
    });
  }
  return out;
}
