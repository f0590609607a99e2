//! The report's plots, each written as SVG and PNG: memory vs k (log scale, with the dense f32
//! line), training memory vs k, zero weights vs k, accuracy and log loss vs k (with the Bayes
//! line) when the report has two k values or more, and nonzero weights vs test log loss along
//! each lambda path; every series has its own colour and marker; [`render_beside`] draws
//! two reports' versions of one chart side by side on shared axes.
//!
//! Log axes are drawn as linear axes over `log10(value)` with `1e<n>` tick labels, so one
//! drawing routine serves every chart. PNG text uses the DejaVu Sans font kept in
//! `crates/runner/assets/` (plotters' `ab_glyph` feature needs a font file, not a system font).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::record::RunRecord;
use crate::report::aggregate::{self, Cell};
use crate::report::atomic_write::{write_atomic, write_atomic_to_path};

const FONT: &str = "sans-serif";
const SIZE: (u32, u32) = (960, 600);
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points in data units (not yet log-transformed), joined in this order (sorted by x, except along a path).
    pub points: Vec<(f64, f64)>,
    /// Reference lines (dense size, Bayes) are drawn black and dashed-looking (thin, no marks).
    pub reference: bool,
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem (`memory_vs_k` gives `memory_vs_k.svg` and `.png`).
    pub stem: String,
    /// Title.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// log10 x axis.
    pub x_log: bool,
    /// log10 y axis.
    pub y_log: bool,
    /// The lines.
    pub series: Vec<Series>,
    /// Where the legend goes (the corner the lines leave free).
    pub legend: SeriesLabelPosition,
}

/// Line colours: the ten of matplotlib's `tab10` and six darker ones, so up to 16 series get a
/// colour of their own (the largest chart, memory vs k, draws about 14).
const PALETTE: [RGBColor; 16] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 100, 80),
    RGBColor(184, 134, 11),
    RGBColor(85, 26, 139),
    RGBColor(60, 60, 60),
];

/// Marker shapes, cycled beside the colours; 16 colours and 5 shapes repeat the same pair only
/// after 80 series, so no two series of a chart share both colour and marker.
const MARKERS: usize = 5;

/// The colour and marker shape of the `index`-th (non-reference) series of a chart.
fn series_look(index: usize) -> (RGBColor, usize) {
    (PALETTE[index % PALETTE.len()], index % MARKERS)
}

/// Marker `shape` centred `at` pixels from the element's anchor: filled circle, triangle,
/// square, cross, hollow circle.
fn marker<DB: DrawingBackend>(
    shape: usize,
    at: (i32, i32),
    style: ShapeStyle,
) -> DynElement<'static, DB, (i32, i32)> {
    let (x, y) = at;
    match shape % MARKERS {
        0 => Circle::new(at, 4, style.filled()).into_dyn(),
        1 => TriangleMarker::new(at, 5, style.filled()).into_dyn(),
        2 => Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], style.filled()).into_dyn(),
        3 => Cross::new(at, 5, style.stroke_width(2)).into_dyn(),
        _ => Circle::new(at, 4, style.stroke_width(2)).into_dyn(),
    }
}

fn transform(value: f64, log: bool) -> Option<f64> {
    match (log, value) {
        (true, v) if v > 0.0 && v.is_finite() => Some(v.log10()),
        (false, v) if v.is_finite() => Some(v),
        _ => None,
    }
}

fn axis_label(value: f64, log: bool) -> String {
    if log {
        // Only whole decades are labelled; ticks between them stay unlabelled.
        if (value - value.round()).abs() > 1e-9 {
            return String::new();
        }
        format!("1e{}", value.round() as i64)
    } else if value.abs() >= 1000.0 || (value != 0.0 && value.abs() < 0.01) {
        format!("{value:.1e}")
    } else {
        format!("{}", (value * 1000.0).round() / 1000.0)
    }
}

/// Range covering `values` with a margin (log axes: whole decades).
fn range(values: impl Iterator<Item = f64>, log: bool) -> std::ops::Range<f64> {
    let (lo, hi) =
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if log {
        return lo.floor()..(hi.ceil().max(lo.floor() + 1.0));
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.05 };
    (lo - pad)..(hi + pad)
}

/// The data ranges of a chart's axes after the log transforms.
type Ranges = (std::ops::Range<f64>, std::ops::Range<f64>);

/// The chart's lines with their points transformed onto the drawing axes.
fn transformed(chart: &Chart) -> Vec<(&Series, Vec<(f64, f64)>)> {
    chart
        .series
        .iter()
        .map(|s| {
            let pts = s
                .points
                .iter()
                .filter_map(|&(x, y)| {
                    Some((transform(x, chart.x_log)?, transform(y, chart.y_log)?))
                })
                .collect();
            (s, pts)
        })
        .collect()
}

/// The axes' ranges covering every point of `charts` (drawn with the first one's log flags).
fn ranges(charts: &[&Chart]) -> Ranges {
    let (x_log, y_log) = charts.first().map_or((false, false), |c| (c.x_log, c.y_log));
    let points: Vec<(f64, f64)> =
        charts.iter().flat_map(|c| transformed(c).into_iter().flat_map(|(_, p)| p)).collect();
    (range(points.iter().map(|p| p.0), x_log), range(points.iter().map(|p| p.1), y_log))
}

/// A drawing error as a plain message: plotters' PNG backend shows an I/O error in Rust's
/// Debug form (`ImageError(IoError(Os { code: 28, kind: StorageFull, message: "…" }))`), of
/// which the message is kept.
fn drawing_error<E: std::error::Error + Send + Sync>(
    error: DrawingAreaErrorKind<E>,
) -> anyhow::Error {
    let text = error.to_string();
    let io = text.split_once("message: \"").and_then(|(_, m)| m.split_once('"')).map(|(m, _)| m);
    match io {
        Some(message) => anyhow::anyhow!("cannot draw the image: {message}"),
        None => anyhow::anyhow!("cannot draw the image: {text}"),
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(drawing_error)?;
    draw_panel(&root, chart, ranges(&[chart]))?;
    root.present().map_err(drawing_error)?;
    Ok(())
}

/// Draws `chart` into `root` (already filled) on the given axis ranges.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    (xs, ys): Ranges,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let lines = transformed(chart);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(xs, ys)
        .map_err(drawing_error)?;
    let (x_log, y_log) = (chart.x_log, chart.y_log);
    // On a log axis, one label per decade (plotters then picks whole numbers).
    let decades = |r: &std::ops::Range<f64>| ((r.end - r.start).round() as usize + 1).clamp(2, 12);
    let x_labels = if x_log { decades(&ctx.x_range()) } else { 10 };
    let y_labels = if y_log { decades(&ctx.y_range()) } else { 10 };
    ctx.configure_mesh()
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&|v| axis_label(*v, x_log))
        .y_label_formatter(&|v| axis_label(*v, y_log))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(drawing_error)?;
    let mut drawn = 0;
    for (series, points) in lines {
        if points.is_empty() {
            continue;
        }
        if series.reference {
            let style = BLACK.stroke_width(1);
            ctx.draw_series(LineSeries::new(points.clone(), style))
                .map_err(drawing_error)?
                .label(series.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            continue;
        }
        let (colour, shape) = series_look(drawn);
        drawn += 1;
        let style = colour.stroke_width(2);
        ctx.draw_series(LineSeries::new(points.clone(), style))
            .map_err(drawing_error)?
            .label(series.name.as_str())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (20, 0)], style)
                    + marker::<DB>(shape, (10, 0), style)
            });
        ctx.draw_series(
            points.iter().map(|&p| EmptyElement::at(p) + marker::<DB>(shape, (0, 0), style)),
        )
        .map_err(drawing_error)?;
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .position(chart.legend.clone())
        .draw()
        .map_err(drawing_error)?;
    Ok(())
}

/// Two charts in one image, left and right, on the same axis ranges (so heights compare).
fn draw_beside<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    left: &Chart,
    right: &Chart,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(drawing_error)?;
    let shared = ranges(&[left, right]);
    let (left_area, right_area) = root.split_horizontally(SIZE.0);
    draw_panel(&left_area, left, shared.clone())?;
    draw_panel(&right_area, right, shared)?;
    root.present().map_err(drawing_error)?;
    Ok(())
}

/// Writes `chart` as `<dir>/<stem>.svg` and `<dir>/<stem>.png` (each through a temporary file).
pub fn render(dir: &Path, chart: &Chart) -> anyhow::Result<Vec<PathBuf>> {
    write_both(dir, &chart.stem, SIZE, |root| draw(root, chart), |root| draw(root, chart))
}

/// Writes `left` and `right` side by side as `<dir>/<stem>.svg` and `.png`, on shared axes.
pub fn render_beside(
    dir: &Path,
    stem: &str,
    left: &Chart,
    right: &Chart,
) -> anyhow::Result<Vec<PathBuf>> {
    let size = (2 * SIZE.0, SIZE.1);
    write_both(
        dir,
        stem,
        size,
        |root| draw_beside(root, left, right),
        |root| draw_beside(root, left, right),
    )
}

/// Registers the bundled font under [`FONT`], once per process.
fn register_font() {
    REGISTER_FONT.call_once(|| {
        // A failure leaves text undrawn in PNGs, never an error: SVG text needs no font file.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

/// Draws one image as SVG and as PNG (one closure per backend type) into `dir`.
fn write_both(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    svg_drawing: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> anyhow::Result<()>,
    png_drawing: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<PathBuf>> {
    register_font();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let svg_path = dir.join(format!("{stem}.svg"));
    let mut svg = String::new();
    svg_drawing(SVGBackend::with_string(&mut svg, size).into_drawing_area())
        .with_context(|| format!("cannot draw {}", svg_path.display()))?;
    write_atomic(&svg_path, svg.as_bytes())?;
    let png_path = dir.join(format!("{stem}.png"));
    write_atomic_to_path(&png_path, |tmp| {
        png_drawing(BitMapBackend::new(tmp, size).into_drawing_area())
            .with_context(|| format!("cannot draw {}", png_path.display()))
    })?;
    Ok(vec![svg_path, png_path])
}

/// Points per (regularizer, optimizer).
type MethodPoints = BTreeMap<(String, String), Vec<(f64, f64)>>;

/// One line per (regularizer, optimizer) over k, of `value` taken from each cell.
fn per_method_series(cells: &[Cell], value: impl Fn(&Cell) -> f64) -> Vec<Series> {
    let mut by_method: MethodPoints = BTreeMap::new();
    for cell in cells {
        if let Some(k) = cell.k {
            by_method
                .entry((cell.regularizer.clone(), cell.optimizer.clone()))
                .or_default()
                .push((k as f64, value(cell)));
        }
    }
    by_method
        .into_iter()
        .map(|((reg, opt), points)| Series {
            name: format!("{reg} / {opt}"),
            points,
            reference: false,
        })
        .collect()
}

/// A reference line over k from the first cell of each k.
fn reference_series(cells: &[Cell], name: &str, value: impl Fn(&Cell) -> f64) -> Series {
    let mut by_k: BTreeMap<u32, f64> = BTreeMap::new();
    for cell in cells {
        if let Some(k) = cell.k {
            by_k.entry(k).or_insert_with(|| value(cell));
        }
    }
    Series {
        name: name.to_string(),
        points: by_k.into_iter().map(|(k, v)| (k as f64, v)).collect(),
        reference: true,
    }
}

/// Whether the cells span two k values or more: a chart "vs k" over one k would be a single
/// column of points, so it is drawn only then.
pub fn has_several_k(cells: &[Cell]) -> bool {
    let mut ks = cells.iter().filter_map(|c| c.k);
    ks.next().is_some_and(|first| ks.any(|k| k != first))
}

/// The charts of a report (those over k only when the data has two k values or more).
pub fn charts(rows: &[RunRecord]) -> Vec<Chart> {
    let cells = aggregate::cells(rows);
    let mut out = Vec::new();
    let chart = |stem: &str, title: &str, x: &str, y: &str, x_log, y_log, series| Chart {
        stem: stem.to_string(),
        title: title.to_string(),
        x_label: x.to_string(),
        y_label: y.to_string(),
        x_log,
        y_log,
        series,
        legend: SeriesLabelPosition::UpperLeft,
    };
    if has_several_k(&cells) {
        let mut memory =
            vec![reference_series(&cells, "dense f32 vector (k^k cross + marginals)", |c| {
                c.model_bytes_dense as f64
            })];
        memory.extend(per_method_series(&cells, |c| c.model_bytes_sparse.mean));
        out.push(chart(
            "memory_vs_k",
            &format!(
                "Model bytes vs k ({} B per nonzero weight; selected lambda, mean over seeds)",
                optimizers::model::SPARSE_ENTRY_BYTES
            ),
            "k",
            "bytes (log scale)",
            false,
            true,
            memory,
        ));
        let mut state =
            vec![reference_series(&cells, "dense f32 vector", |c| c.model_bytes_dense as f64)];
        state.extend(per_method_series(&cells, |c| c.train_state_bytes.mean));
        out.push(chart(
            "training_memory_vs_k",
            "Optimizer state at its peak vs k",
            "k",
            "bytes (log scale)",
            false,
            true,
            state,
        ));
        let zero =
            per_method_series(&cells, |c| 1.0 - c.nonzero.mean / c.features_touched.mean.max(1.0));
        out.push(chart(
            "zero_weights_vs_k",
            "Exact zero weights among the features seen in training (untouched ones are all zero)",
            "k",
            "fraction of touched features with w = 0",
            false,
            false,
            zero,
        ));
        let mut acc =
            vec![reference_series(&cells, "Bayes (true probabilities)", |c| c.bayes_accuracy.mean)];
        acc.extend(per_method_series(&cells, |c| c.accuracy.mean));
        let mut acc =
            chart("accuracy_vs_k", "Test accuracy vs k", "k", "accuracy", false, false, acc);
        acc.legend = SeriesLabelPosition::LowerRight;
        out.push(acc);
        let mut ll =
            vec![reference_series(&cells, "Bayes (true probabilities)", |c| c.bayes_log_loss.mean)];
        ll.extend(per_method_series(&cells, |c| c.log_loss.mean));
        let mut ll =
            chart("log_loss_vs_k", "Test log loss vs k", "k", "log loss", false, false, ll);
        ll.legend = SeriesLabelPosition::UpperRight;
        out.push(ll);
    }
    out.extend(path_charts(rows));
    out
}

/// Per k (or once for real data), nonzero weights vs test log loss along each lambda path, for
/// the first seed (validation log loss when the data set has no test split).
fn path_charts(rows: &[RunRecord]) -> Vec<Chart> {
    let Some(seed) = rows.iter().map(|r| r.seed).min() else {
        return Vec::new();
    };
    let has_test = rows.iter().any(|r| r.log_loss.is_finite());
    let split = if has_test { "test" } else { "validation" };
    let mut by_k: BTreeMap<Option<u32>, MethodPoints> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.seed == seed && r.is_usable() && !r.is_refit()) {
        by_k.entry(r.k)
            .or_default()
            .entry((r.regularizer.clone(), r.optimizer.clone()))
            .or_default()
            .push((
                r.nonzero_weights as f64,
                if has_test { r.log_loss } else { r.validation_log_loss },
            ));
    }
    by_k.into_iter()
        .map(|(k, methods)| {
            let series = methods
                .into_iter()
                .map(|((reg, opt), mut points)| {
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Series { name: format!("{reg} / {opt}"), points, reference: false }
                })
                .collect();
            let (stem, title) = match k {
                Some(k) => (
                    format!("path_k{k:02}"),
                    format!(
                        "Lambda paths at k = {k} (seed {seed}): nonzero weights vs {split} log loss"
                    ),
                ),
                None => (
                    "path".to_string(),
                    format!("Lambda paths (seed {seed}): nonzero weights vs {split} log loss"),
                ),
            };
            Chart {
                stem,
                title,
                x_label: "nonzero weights (log scale)".into(),
                y_label: format!("{split} log loss"),
                x_log: true,
                y_log: false,
                series,
                legend: SeriesLabelPosition::UpperRight,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_drops_non_positive_values() {
        assert_eq!(transform(100.0, true), Some(2.0));
        assert_eq!(transform(0.0, true), None);
        assert_eq!(transform(0.0, false), Some(0.0));
        assert_eq!(range([0.5, 2.2].into_iter(), true), 0.0..3.0);
    }

    /// Selected runs of `methods` methods at each of `ks`, one seed.
    fn rows(ks: &[u32], methods: usize) -> Vec<RunRecord> {
        ks.iter()
            .flat_map(|&k| {
                (0..methods).map(move |m| {
                    let mut r = RunRecord::placeholder();
                    (r.k, r.regularizer, r.optimizer) =
                        (Some(k), "l1".into(), format!("opt{m:02}"));
                    (r.selected, r.seed, r.lambda, r.status) =
                        (true, 1, 0.1, crate::record::STATUS_OK.to_string());
                    (r.model_bytes_sparse, r.model_bytes_dense) = (120, 4 * u64::from(k).pow(k));
                    (r.nonzero_weights, r.features_touched, r.log_loss) = (10, 20, 0.5);
                    r
                })
            })
            .collect()
    }

    fn stems(charts: &[Chart]) -> Vec<&str> {
        charts.iter().map(|c| c.stem.as_str()).collect()
    }

    #[test]
    fn charts_vs_k_need_two_k_values() {
        let one_k = charts(&rows(&[8], 2));
        assert!(stems(&one_k).iter().all(|s| !s.ends_with("_vs_k")), "{:?}", stems(&one_k));
        assert!(stems(&one_k).contains(&"path_k08"), "{:?}", stems(&one_k));
        let two_k = charts(&rows(&[2, 3], 2));
        for stem in ["memory_vs_k", "training_memory_vs_k", "log_loss_vs_k", "path_k03"] {
            assert!(stems(&two_k).contains(&stem), "{stem}: {:?}", stems(&two_k));
        }
    }

    #[test]
    fn no_two_of_fourteen_series_share_colour_and_marker() {
        let looks: Vec<(RGBColor, usize)> = (0..14).map(series_look).collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert!(a.0 != b.0, "colour shared by two of 14 series");
                assert!(a != b);
            }
        }
        // Beyond the palette, the marker still tells series apart.
        assert_ne!(series_look(0), series_look(PALETTE.len()));
    }

    #[test]
    fn a_chart_of_fourteen_series_draws_every_marker_shape() {
        let chart =
            charts(&rows(&[2, 3], 14)).into_iter().find(|c| c.stem == "memory_vs_k").unwrap();
        assert_eq!(chart.series.iter().filter(|s| !s.reference).count(), 14);
        register_font();
        let mut svg = String::new();
        draw(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(), &chart).unwrap();
        // Filled and hollow circles, triangles and squares (polygons/rects) and crosses (lines).
        assert!(svg.contains("<circle") && svg.contains("<polygon") && svg.contains("<rect"));
        assert!(svg.contains("opt13"), "every series is in the legend");
    }

    #[test]
    fn beside_draws_both_panels_on_shared_axes() {
        let chart = |title: &str, top: f64| Chart {
            stem: "memory_vs_k".into(),
            title: title.into(),
            x_label: "k".into(),
            y_label: "bytes".into(),
            x_log: false,
            y_log: true,
            series: vec![Series {
                name: "l1 / ftrl".into(),
                points: vec![(2.0, 10.0), (3.0, top)],
                reference: false,
            }],
            legend: SeriesLabelPosition::UpperLeft,
        };
        let (left, right) = (chart("uniform panel", 100.0), chart("long-tail panel", 1e6));
        // Shared: the right panel's 1e6 sets both panels' top decade.
        assert_eq!(ranges(&[&left, &right]).1, 1.0..6.0);
        assert_eq!(ranges(&[&left]).1, 1.0..2.0);
        register_font();
        let mut svg = String::new();
        let size = (2 * SIZE.0, SIZE.1);
        draw_beside(SVGBackend::with_string(&mut svg, size).into_drawing_area(), &left, &right)
            .unwrap();
        assert!(svg.contains("uniform panel") && svg.contains("long-tail panel"));
        assert!(svg.contains("width=\"1920\""), "not twice a chart's width");
    }
}
