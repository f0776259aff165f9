//! Column alignment as kubectl's tab writer does it (Go's `text/tabwriter` with minimum width
//! 0, padding 3 and blanks): every cell but the last of a line is padded to the widest cell of
//! its column plus three spaces; the last cell is printed as it is.

/// Lays out lines of cells as aligned text, one `\n`-terminated line per input line.
pub fn align_columns(lines: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for line in lines {
        let padded = line.len().saturating_sub(1);
        for (index, cell) in line.iter().take(padded).enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(index) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    let mut out = String::new();
    for line in lines {
        let last = line.len().saturating_sub(1);
        for (index, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if index < last {
                let width = widths.get(index).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.chars().count()) + 3;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn cells_are_padded_to_the_widest_in_their_column_plus_three_spaces() {
        let text = align_columns(&[
            line(&["NAME", "STATUS", "AGE"]),
            line(&["kube-node-lease", "Active", "6s"]),
        ]);
        assert_eq!(
            text,
            "NAME              STATUS   AGE\nkube-node-lease   Active   6s\n"
        );
    }

    #[test]
    fn an_empty_last_cell_leaves_the_padding_of_the_cell_before_it() {
        let text = align_columns(&[line(&["APP", "FOO"]), line(&["web", ""])]);
        assert_eq!(text, "APP   FOO\nweb   \n");
    }
}
