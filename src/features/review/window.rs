//! Which rows the review grid gives an element for a scroll position, and
//! the heights around them: arithmetic only (no DOM, no signals), tested
//! natively.
//!
//! Advice for hackers: the grid keeps a fixed set of row elements ("slots");
//! slot `s` shows the row at position `first + s` of the rows shown, so a
//! scroll changes what slots show, never which elements exist. Past
//! [`MAX_SCROLL_PX`] of rows the scrolling area stops growing (browsers cap an
//! element's height: Firefox near 17.9 million pixels) and a pixel scrolled
//! stands for more than a pixel of rows; the slots are then placed so that
//! the rows in view sit exactly under the viewport and the first and last rows
//! are reached at the top and the bottom.

/// Height of a grid row in pixels (fixed, so the grid can be virtualised),
/// an integer for CSS lengths: printing a float pulls the float formatter
/// (about 6 KB brotli) into the first load.
pub const ROW_HEIGHT_PX: usize = 44;
/// Height of the grid's scrolling area in pixels.
pub const VIEWPORT_PX: usize = 440;
/// Rows given an element above and below the visible ones: 176 px, more
/// than a wheel's step. Fewer elements are less work a frame: with 8 rows
/// (26 elements), a 100k-row grid scrolled with the CPU slowed 4× missed
/// about 65 frames of 240; with 4 (18 elements), under 10 (`bench/run`).
pub const OVERSCAN: usize = 4;
/// Row elements the grid keeps: the rows in view and the overscan.
pub const WINDOW_ROWS: usize = VIEWPORT_PX / ROW_HEIGHT_PX + 2 * OVERSCAN;
/// The tallest the rows' scrolling area gets, in pixels (about 180,000
/// rows; below every browser's cap on an element's height).
pub const MAX_SCROLL_PX: usize = 8_000_000;

/// The rows with an element, for one scroll position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Position, among the rows shown, of the row in the first slot.
    pub first: usize,
    /// Slots in use: [`WINDOW_ROWS`], or every row when there are fewer.
    pub count: usize,
    /// Rows shown in all (those the filter lets through).
    pub total: usize,
    /// Space above the first slot, in pixels.
    pub above_px: usize,
    /// Space below the last slot, in pixels.
    pub below_px: usize,
}

/// The height of the rows' scrolling area for `total` rows, in pixels.
pub fn scroll_height(total: usize) -> usize {
    total.saturating_mul(ROW_HEIGHT_PX).min(MAX_SCROLL_PX)
}

impl Window {
    /// The window for the grid scrolled `scroll_top` pixels down over `total`
    /// rows (a `scroll_top` past the end counts as the end).
    pub fn at(scroll_top: usize, total: usize) -> Window {
        let count = WINDOW_ROWS.min(total);
        let height = scroll_height(total);
        let full = total.saturating_mul(ROW_HEIGHT_PX);
        let top = scroll_top.min(height.saturating_sub(VIEWPORT_PX));
        // Where the viewport's top is in the rows laid out at full height.
        let virtual_top = if height == full || height <= VIEWPORT_PX {
            top
        } else {
            // Wide enough: 44 M px × 8 M px fits a u64 many times over.
            let scaled = top as u64 * (full - VIEWPORT_PX) as u64 / (height - VIEWPORT_PX) as u64;
            scaled as usize
        };
        // Row `p` belongs at `top + p × ROW_HEIGHT_PX − virtual_top`; the
        // slots are kept inside the area (which moves them by less than the
        // overscan, and only at the ends of a scaled area).
        let first = (virtual_top / ROW_HEIGHT_PX)
            .saturating_sub(OVERSCAN)
            .min(total - count);
        let above_px = (top + first * ROW_HEIGHT_PX)
            .saturating_sub(virtual_top)
            .min(height - count * ROW_HEIGHT_PX);
        let below_px = height - above_px - count * ROW_HEIGHT_PX;
        Window {
            first,
            count,
            total,
            above_px,
            below_px,
        }
    }

    /// Whether the row at `position` has a slot.
    pub fn holds(&self, position: usize) -> bool {
        (self.first..self.first + self.count).contains(&position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows under the viewport at `scroll_top`, as the layout puts them.
    fn in_view(w: &Window, scroll_top: usize) -> std::ops::Range<usize> {
        // Slot `s` spans [above + s×h, above + (s+1)×h).
        let from = scroll_top.saturating_sub(w.above_px) / ROW_HEIGHT_PX;
        let to = (scroll_top + VIEWPORT_PX - w.above_px).div_ceil(ROW_HEIGHT_PX);
        w.first + from..w.first + to.min(w.count)
    }

    #[test]
    fn a_short_roster_has_a_slot_for_every_row_and_no_space_around() {
        let w = Window::at(0, 5);
        assert_eq!((w.first, w.count, w.above_px, w.below_px), (0, 5, 0, 0));
        assert_eq!(Window::at(0, 0).count, 0);
    }

    #[test]
    fn rows_and_spaces_add_up_to_the_scrolling_area_at_every_size() {
        for total in [0, 1, 10, 26, 27, 100_000, 181_818, 181_819, 1_000_000, 5_000_000] {
            let height = scroll_height(total);
            for step in 0..=200 {
                let top = height.saturating_sub(VIEWPORT_PX) * step / 200;
                let w = Window::at(top, total);
                assert_eq!(
                    w.above_px + w.count * ROW_HEIGHT_PX + w.below_px,
                    height,
                    "{total} rows at {top}"
                );
                assert!(w.first + w.count <= total, "{total} rows at {top}: {w:?}");
                assert!(
                    w.above_px <= top,
                    "{total} rows at {top}: the first slot starts below the viewport"
                );
                assert!(
                    w.above_px + w.count * ROW_HEIGHT_PX >= (top + VIEWPORT_PX).min(height),
                    "{total} rows at {top}: the last slot ends inside the viewport"
                );
            }
        }
    }

    #[test]
    fn up_to_the_cap_a_pixel_scrolled_is_a_pixel_of_rows() {
        let w = Window::at(44 * 5_000 + 10, 100_000);
        assert_eq!(w.first, 5_000 - OVERSCAN);
        assert_eq!(w.above_px, (5_000 - OVERSCAN) * ROW_HEIGHT_PX);
        assert_eq!(in_view(&w, 44 * 5_000 + 10), 5_000..5_011);
        assert_eq!(Window::at(0, 100_000).first, 0);
    }

    #[test]
    fn a_million_rows_are_reached_from_the_first_to_the_last() {
        let total = 1_000_000;
        let height = scroll_height(total);
        assert_eq!(height, MAX_SCROLL_PX);
        let top = Window::at(0, total);
        assert_eq!(in_view(&top, 0).start, 0);
        let end = height - VIEWPORT_PX;
        let bottom = Window::at(end, total);
        assert_eq!(bottom.first + bottom.count, total);
        assert_eq!(in_view(&bottom, end).end, total);
        let middle = Window::at(end / 2, total);
        let shown = in_view(&middle, end / 2);
        assert!(shown.contains(&(total / 2)), "{shown:?} in the middle");
        // Past the end counts as the end.
        assert_eq!(Window::at(usize::MAX / 2, total), bottom);
    }

    #[test]
    fn holds_is_the_slots_positions() {
        let w = Window::at(44 * 1_000, 100_000);
        assert!(w.holds(w.first) && w.holds(w.first + w.count - 1));
        assert!(!w.holds(w.first + w.count) && !w.holds(w.first - 1));
    }
}
