//! A few SVG primitives with presentation attributes only (no ids, no CSS), so that drawings
//! can be inlined several times in one page or used on their own.

use std::fmt::Write as _;

use crate::render::text::xml;

/// A colour for strokes, fills and text.
#[derive(Clone, Copy)]
pub(super) struct Colour(pub(super) &'static str);

impl Colour {
    pub(super) const TEXT: Self = Self("#212121");
    pub(super) const MUTED: Self = Self("#757575");
    pub(super) const LINE: Self = Self("#9e9e9e");
    pub(super) const UPDATE: Self = Self("#1565c0");
    pub(super) const MESSAGE: Self = Self("#455a64");
    pub(super) const DUPLICATE: Self = Self("#e65100");
    pub(super) const DROP: Self = Self("#c62828");
    pub(super) const DIVERGE: Self = Self("#c62828");
    pub(super) const RESTART: Self = Self("#2e7d32");
    pub(super) const PARTITION: Self = Self("#fdecea");
    pub(super) const NODE: Self = Self("#eef3fb");
}

/// The opening tag of a drawing `width × height` pixels, scaling down with its container, with
/// an accessible name.
pub(super) fn open(width: f64, height: f64, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\" \
         style=\"max-width:100%;height:auto\">",
        xml(label)
    )
}

/// Font attributes for [`text_with`].
pub(super) const SANS: &str = "font-family=\"sans-serif\"";
/// Bold sans-serif.
pub(super) const SANS_BOLD: &str = "font-family=\"sans-serif\" font-weight=\"bold\"";
/// Monospace, for `Debug` text.
pub(super) const MONO: &str = "font-family=\"monospace\"";

/// Text at `(x, y)` in sans-serif; `anchor` is `start`, `middle` or `end`.
pub(super) fn text(
    x: f64,
    y: f64,
    size: f64,
    colour: Colour,
    anchor: &str,
    content: &str,
) -> String {
    text_with(x, y, size, colour, anchor, SANS, content)
}

/// Text with extra attributes (`font-weight="bold"`, `font-family="monospace"`, ...).
pub(super) fn text_with(
    x: f64,
    y: f64,
    size: f64,
    colour: Colour,
    anchor: &str,
    attributes: &str,
    content: &str,
) -> String {
    format!(
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{}\" \
         {attributes}>{}</text>",
        colour.0,
        xml(content)
    )
}

/// An arrow from `from` to `to`, its head drawn as a triangle (no marker ids), with a tooltip.
pub(super) fn arrow(
    from: (f64, f64),
    to: (f64, f64),
    colour: Colour,
    dashed: bool,
    title: &str,
) -> String {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let length = dx.hypot(dy).max(1e-9);
    let (ux, uy) = (dx / length, dy / length);
    // Stop the shaft at the head's base; the head's tip touches the target line.
    let (head, half) = (9.0, 4.0);
    let base = (to.0 - ux * head, to.1 - uy * head);
    let dash = if dashed {
        " stroke-dasharray=\"5 3\""
    } else {
        ""
    };
    let mut out = format!("<g><title>{}</title>", xml(title));
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{c}\" stroke-width=\"1.6\"{dash}/>\
         <polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{c}\"/></g>",
        from.0,
        from.1,
        base.0,
        base.1,
        to.0,
        to.1,
        base.0 - uy * half,
        base.1 + ux * half,
        base.0 + uy * half,
        base.1 - ux * half,
        c = colour.0
    );
    out
}

/// A cross (×) centred on `(x, y)`.
pub(super) fn cross(x: f64, y: f64, size: f64, colour: Colour) -> String {
    format!(
        "<path d=\"M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}\" stroke=\"{}\" stroke-width=\"2.5\"/>",
        x - size,
        y - size,
        x + size,
        y + size,
        x - size,
        y + size,
        x + size,
        y - size,
        colour.0
    )
}
