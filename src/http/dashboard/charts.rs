//! Charts as SVG rendered on the server: colours come from the stylesheet's variables (light
//! and dark), each chart has a title and description for screen readers, and the numbers are
//! also in a table beside it.

use super::html::{esc, num};

/// One bar: its label, value and target.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub target: f64,
}

/// Attainment bars (value as a share of target, up to 150 %), with a marker at the share of
/// the period elapsed: a bar short of the marker is behind pace.
pub fn bars(title: &str, items: &[Bar], elapsed: Option<f64>) -> String {
    const W: f64 = 640.0;
    const LABEL: f64 = 170.0;
    const ROW: f64 = 28.0;
    let span = W - LABEL - 70.0;
    let h = ROW * items.len().max(1) as f64 + 24.0;
    let x = |share: f64| LABEL + span * (share.clamp(0.0, 1.5) / 1.5);
    let mut s = format!(
        "<svg viewBox=\"0 0 {W} {h}\" width=\"100%\" role=\"img\" aria-labelledby=\"bt-{id} bd-{id}\">\
         <title id=\"bt-{id}\">{t}</title><desc id=\"bd-{id}\">Attainment per assignee as a share of target; \
         the vertical line is 100 %{pace}.</desc>",
        id = esc(&title.replace(' ', "-")),
        t = esc(title),
        pace = if elapsed.is_some() { ", the dashed line the share of the period elapsed" } else { "" }
    );
    for (i, b) in items.iter().enumerate() {
        let y = 8.0 + ROW * i as f64;
        let share = Some(b.value / b.target)
            .filter(|s| b.target > 0.0 && s.is_finite())
            .unwrap_or(0.0);
        s += &format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"track\" x=\"{LABEL}\" y=\"{y}\" width=\"{span}\" height=\"18\" rx=\"3\"/>\
             <rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{bw:.1}\" height=\"18\" rx=\"3\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\">{pct} %</text>",
            lx = LABEL - 8.0,
            ty = y + 13.0,
            label = esc(&b.label),
            bw = x(share) - LABEL,
            vx = x(1.5) + 6.0,
            pct = num(share * 100.0),
        );
    }
    let bottom = h - 16.0;
    s += &format!(
        "<line class=\"marker\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"4\" y2=\"{bottom}\"/>",
        x(1.0)
    );
    if let Some(e) = elapsed {
        s += &format!(
            "<line class=\"expected\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"4\" y2=\"{bottom}\"/>",
            x(e)
        );
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">100 %</text></svg>",
        x(1.0),
        h - 2.0
    );
    s
}

/// Pacing over a period: the expected line from nothing at the start to the target at the
/// end, the value so far at today, and a dotted projection of today's rate to the end.
pub fn pacing(title: &str, elapsed: f64, target: f64, value: f64) -> String {
    const W: f64 = 640.0;
    const H: f64 = 240.0;
    const L: f64 = 60.0;
    const B: f64 = 30.0;
    // A projection from the first hours of a period says nothing: from 5 % elapsed on.
    let projected = if elapsed >= 0.05 {
        value / elapsed
    } else {
        value
    };
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (target, value, projected) = (finite(target), finite(value), finite(projected));
    let top = target.max(value).max(projected).max(1.0) * 1.1;
    let px = |share: f64| L + (W - L - 20.0) * share.clamp(0.0, 1.0);
    let py = |v: f64| (H - B) - (H - B - 10.0) * (v / top);
    let (x0, y0) = (px(0.0), py(0.0));
    let mut s = format!(
        "<svg viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-labelledby=\"pt pd\">\
         <title id=\"pt\">{t}</title><desc id=\"pd\">Expected {tg} by the end of the period; {v} so far with {e} % of it elapsed; \
         at this rate {p} by the end.</desc>\
         <line class=\"axis\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{xe}\" y2=\"{y0}\"/><line class=\"axis\" x1=\"{x0}\" y1=\"10\" x2=\"{x0}\" y2=\"{y0}\"/>\
         <line class=\"expected\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{xe}\" y2=\"{ye:.1}\"/>",
        t = esc(title),
        tg = num(target),
        v = num(value),
        e = num(elapsed * 100.0),
        p = num(projected),
        xe = px(1.0),
        ye = py(target),
    );
    if elapsed > 0.0 {
        let (xn, yn) = (px(elapsed), py(value));
        s += &format!(
            "<line class=\"actual\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{xn:.1}\" y2=\"{yn:.1}\"/>\
             <line class=\"projected\" x1=\"{xn:.1}\" y1=\"{yn:.1}\" x2=\"{xe:.1}\" y2=\"{yp:.1}\"/>\
             <circle class=\"dot\" cx=\"{xn:.1}\" cy=\"{yn:.1}\" r=\"5\"/>\
             <text x=\"{xn:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">today: {v}</text>",
            xe = px(1.0),
            yp = py(projected),
            ty = (yn - 10.0).max(12.0),
            v = num(value),
        );
    }
    s += &format!(
        "<text x=\"{x0}\" y=\"{}\" >start</text><text x=\"{xe}\" y=\"{}\" text-anchor=\"end\">end</text>\
         <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></svg>",
        H - 10.0,
        H - 10.0,
        L - 6.0,
        py(target) + 4.0,
        num(target),
        xe = px(1.0),
    );
    s
}
