//! Room for a long scan's columns: reserved once from the rows of the first window, and made
//! resident a window ahead, so that the output neither grows by doubling and copying nor takes
//! a page fault per page written.
//!
//! Measured on a 1 GiB log read into ten columns on one thread (about 400 MB of columns), the
//! page faults of writing the columns took about a fifth of the scan's time; making the next
//! window's room resident with one `madvise(MADV_POPULATE_WRITE)` call per buffer (Linux 5.14
//! and later) took 9% off the scan's CPU time. Elsewhere, or on older kernels, pages are faulted
//! in as they are written, as before.

use super::{ColumnData, Table};

/// One of a table's growing buffers, whatever its item type.
trait Buffer {
    fn items(&self) -> usize;
    fn reserve_items(&mut self, more: usize);
    fn populate_items(&mut self, more: usize);
}

impl<T> Buffer for Vec<T> {
    fn items(&self) -> usize {
        self.len()
    }

    fn reserve_items(&mut self, more: usize) {
        self.reserve(more);
    }

    fn populate_items(&mut self, more: usize) {
        populate(self, more);
    }
}

impl Table {
    /// Every buffer that grows with the rows.
    fn buffers(&mut self) -> Vec<&mut dyn Buffer> {
        let mut buffers: Vec<&mut dyn Buffer> = vec![&mut self.offset];
        for column in std::iter::once(&mut self.msg_type).chain(&mut self.columns) {
            buffers.push(&mut column.valid);
            match &mut column.data {
                ColumnData::Str { offsets, data } => {
                    buffers.push(offsets);
                    buffers.push(data);
                }
                ColumnData::F64(out) => buffers.push(out),
                ColumnData::Bool(out) => buffers.push(out),
                ColumnData::I64(out) => buffers.push(out),
            }
        }
        buffers
    }

    /// Makes room for the rows of `total` bytes of input, judging by those of the first
    /// `scanned` bytes (at most 16 times as many), so that the columns of a long input grow
    /// once rather than by doubling and copying. Room never written takes no memory.
    pub(super) fn reserve_like(&mut self, scanned: usize, total: usize) {
        if scanned == 0 {
            return;
        }
        let more = total.min(scanned.saturating_mul(16)).saturating_sub(scanned);
        for buffer in self.buffers() {
            buffer.reserve_items(buffer.items().saturating_mul(more) / scanned);
        }
    }

    /// Makes room in this (empty) table for the rows of `bytes` bytes of input, judging by
    /// `like`'s rows from `scanned` bytes (with an eighth more), and makes it resident; nothing
    /// when `scanned` is 0.
    pub(super) fn room_like(&mut self, like: &mut Table, scanned: usize, bytes: usize) {
        if scanned == 0 {
            return;
        }
        let items: Vec<usize> = like.buffers().iter().map(|buffer| buffer.items()).collect();
        for (buffer, items) in self.buffers().into_iter().zip(items) {
            let items = items.saturating_mul(bytes) / scanned;
            let items = items.saturating_add(items / 8);
            buffer.reserve_items(items);
            buffer.populate_items(items);
        }
    }

    /// Makes the room that the rows of the next `next` bytes of input will take resident,
    /// judging by those of the `scanned` bytes so far (with an eighth more), within the room
    /// reserved: at most about a window's worth of columns is resident before it is written.
    pub(super) fn populate_like(&mut self, scanned: usize, next: usize) {
        if scanned == 0 {
            return;
        }
        for buffer in self.buffers() {
            let items = buffer.items().saturating_mul(next) / scanned;
            buffer.populate_items(items.saturating_add(items / 8));
        }
    }
}

/// Makes the memory of the next `more` items of `out` (within its capacity) resident and
/// writable in one system call, rather than a page fault per page as they are written.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn populate<T>(out: &mut Vec<T>, more: usize) {
    // SAFETY: sysconf only reads the system's configuration.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
    if page == 0 {
        return;
    }
    let spare = out.spare_capacity_mut();
    let len = more.min(spare.len());
    let room = &mut spare[..len];
    let start = room.as_mut_ptr() as usize;
    let end = start + std::mem::size_of_val(room);
    // Whole pages only, all inside the room.
    let (from, to) = (start.next_multiple_of(page), end / page * page);
    if to > from {
        // SAFETY: `from..to` lies in `out`'s allocation (its spare capacity, which we borrow
        // mutably), page-aligned as madvise requires. MADV_POPULATE_WRITE faults the pages in
        // as if written but does not change their contents, so nothing Rust can see changes.
        // On a kernel without it (before 5.14) the call fails with EINVAL and the pages are
        // faulted in when written, as without it.
        unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_POPULATE_WRITE) };
    }
}

/// Elsewhere pages are faulted in as they are written.
#[cfg(not(target_os = "linux"))]
fn populate<T>(_out: &mut Vec<T>, _more: usize) {}
