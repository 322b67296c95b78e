//! A heapsort for the relay's few sorts (unmapped fields into `extra`, Twilio's signed
//! parameters, JSON object keys, Huawei's canonical query, the lookup's reports).
//!
//! Not `slice::sort*`: measured in the wasm build, the standard library's sorts cost about 7 KB
//! of code per element type (35 KB for five), against a few hundred bytes here. Heapsort
//! keeps the `O(n log n)` worst case, so a hostile body cannot make a sort quadratic; it is
//! not stable, and no caller needs it to be (ties are equal elements or broken by a unique
//! key). Tested against `sort` as a property.

use std::cmp::Ordering;

/// Sorts `items` in place by `compare`, ascending.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let mut less = |items: &[T], a: usize, b: usize| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => compare(x, y) == Ordering::Less,
        _ => false,
    };
    let len = items.len();
    for start in (0..len / 2).rev() {
        sift_down(items, start, len, &mut less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &mut less);
    }
}

/// Sorts `items` in place, ascending.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Moves `node` down the heap of `items[..end]` until neither child is greater.
fn sift_down<T>(
    items: &mut [T],
    mut node: usize,
    end: usize,
    less: &mut impl FnMut(&[T], usize, usize) -> bool,
) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(items, child, child + 1) {
            child += 1;
        }
        if !less(items, node, child) {
            return;
        }
        items.swap(node, child);
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_the_standard_library(mut items in proptest::collection::vec(any::<(u8, u8)>(), 0..200)) {
            let mut expected = items.clone();
            expected.sort();
            sort(&mut items);
            prop_assert_eq!(&items, &expected);
            let mut by_first: Vec<(u8, u8)> = expected.clone();
            sort_by(&mut by_first, |a, b| b.0.cmp(&a.0));
            prop_assert!(by_first.windows(2).all(|w| w[0].0 >= w[1].0));
        }
    }
}
