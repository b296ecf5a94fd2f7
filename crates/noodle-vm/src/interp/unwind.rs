//! Raising: traces captured at the first raise, unwinding to the innermost
//! handler, and the garbage collector's view of the VM's roots.

use noodle_nbc::FunctionKind;

use crate::load::Program;
use crate::value::Value;
use crate::vm::Vm;

/// Traces longer than this keep their innermost and outermost halves.
const MAX_TRACE_LINES: usize = 100;

impl Vm {
    /// Records where `err` is being raised, unless it already has a trace
    /// (a re-raise keeps the original one). Frames of the program entry
    /// are not shown.
    pub(crate) fn fill_trace(&mut self, program: &Program, err: Value) {
        if self.heap.error_obj(err).is_none_or(|e| !e.trace.is_empty()) {
            return;
        }
        let shown: Vec<usize> = (0..self.frames.len())
            .rev()
            .filter(|&i| {
                program.functions[self.frames[i].func as usize].kind != FunctionKind::Entry
            })
            .collect();
        let line = |i: usize| {
            let frame = &self.frames[i];
            program.functions[frame.func as usize].trace_line((frame.pc as usize).saturating_sub(1))
        };
        let trace = if shown.len() <= MAX_TRACE_LINES {
            shown.iter().map(|&i| line(i)).collect()
        } else {
            let half = MAX_TRACE_LINES / 2;
            let mut lines: Vec<String> = shown[..half].iter().map(|&i| line(i)).collect();
            lines.push(format!("... {} more frames ...", shown.len() - 2 * half));
            lines.extend(shown[shown.len() - half..].iter().map(|&i| line(i)));
            lines
        };
        if let Some(e) = self.heap.error_obj_mut(err) {
            e.trace = trace;
        }
    }

    /// Unwinds to the innermost handler installed at frame depth
    /// `stop_depth` or deeper and resumes there (returns `true`), or pops
    /// every frame down to `stop_depth` (returns `false`: the error leaves
    /// this run of the interpreter). The current frame's pc must be saved.
    pub(crate) fn unwind(&mut self, program: &Program, err: Value, stop_depth: usize) -> bool {
        self.fill_trace(program, err);
        match self.handlers.last() {
            Some(h) if h.frame as usize >= stop_depth && (h.frame as usize) < self.frames.len() => {
                let h = *h;
                self.handlers.pop();
                self.frames.truncate(h.frame as usize + 1);
                let frame = self.frames.last_mut().expect("handler frame exists");
                frame.pc = h.target;
                let slot = frame.base as usize + h.err_reg as usize;
                self.stack[slot] = err;
                true
            }
            _ => {
                self.frames.truncate(stop_depth);
                self.drop_handlers_above(stop_depth);
                false
            }
        }
    }

    /// Removes handlers installed by frames at index `depth` or deeper.
    #[inline]
    pub(crate) fn drop_handlers_above(&mut self, depth: usize) {
        while self
            .handlers
            .last()
            .is_some_and(|h| h.frame as usize >= depth)
        {
            self.handlers.pop();
        }
    }

    /// One past the highest register in use: the running frame's last
    /// register, or a native's argument window, whichever is higher.
    pub(crate) fn stack_top(&self) -> usize {
        let frame_top = self.frames.last().map_or(0, |f| {
            f.base as usize
                + self
                    .program
                    .functions
                    .get(f.func as usize)
                    .map_or(0, |c| c.num_regs)
        });
        frame_top.max(self.native_floor)
    }
}

/// Collects garbage: roots are the live part of the register stack (the
/// rest is cleared so stale registers keep nothing alive), the globals,
/// the frames' closures and the natives' temporary roots.
pub(crate) fn collect(vm: &mut Vm) {
    // Callee frames overlap their caller's registers above the call window,
    // so the highest frame top is not always the last frame's: take all.
    let frame_tops = vm.frames.iter().map(|f| {
        f.base as usize
            + vm.program
                .functions
                .get(f.func as usize)
                .map_or(0, |c| c.num_regs)
    });
    let top = frame_tops
        .fold(vm.native_floor, usize::max)
        .min(vm.stack.len());
    vm.stack[top..].fill(Value::None);
    let frames = vm.frames.iter().map(|f| Value::Obj(f.closure));
    let roots = vm.stack[..top]
        .iter()
        .chain(&vm.globals)
        .chain(&vm.roots)
        .copied()
        .chain(frames);
    vm.heap.collect(roots);
}
