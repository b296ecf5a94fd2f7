//! `try` / `catch` / `finally`.
//!
//! ```text
//!       try e1, HANDLER          ; body's handler
//!       <body -> dst>
//!       endtry
//!       <finally>
//!       jmp END
//! HANDLER:                       ; R[e1] = the error
//!       try e2, RETHROW          ; only with finally: catch bodies may raise
//!       erroris t, e1, "Kind"    ; per clause with a kind
//!       jmpf t, NEXT
//!       <bind e1; clause body -> dst>
//!       endtry ; <finally>       ; only with finally
//!       jmp END
//! NEXT: ...
//!       endtry ; <finally>       ; no clause matched: re-raise
//!       raise e1
//! RETHROW:                       ; only with finally
//!       <finally>
//!       raise e2
//! END:
//! ```
//! `break`, `continue` and `return` leaving a region pop its handler and
//! run its `finally` code first (see `FnBuilder::unwind_tries`).

use crate::func::{FnBuilder, Reg, TryCtx};
use noodle_nbc::Instr;
use noodle_sema::ir::{Block, Catch};

impl<'p> FnBuilder<'_, 'p> {
    pub fn try_to(
        &mut self,
        body: &'p Block,
        catches: &'p [Catch],
        finally: Option<&'p Block>,
        dst: Option<Reg>,
    ) {
        let mark = self.mark();
        // The error registers stay below the base of the `finally` copies.
        // A `return` leaving the region no longer needs the caught error,
        // so its value waits in `err` while the `finally` code runs.
        let err = self.alloc();
        let err2 = if finally.is_some() && !catches.is_empty() {
            self.alloc()
        } else {
            err
        };
        let ctx = TryCtx {
            finally,
            base: self.mark(),
            ret_slot: err,
        };
        let handler = self.emit(Instr::PushHandler { err, offset: 0 });
        self.tries.push(ctx);
        self.block_to(body, dst);
        self.tries.pop();
        self.emit(Instr::PopHandler {});
        self.run_finally(&ctx);
        let mut to_end = vec![self.jump()];

        self.patch_here(handler);
        if catches.is_empty() {
            self.run_finally(&ctx);
            self.emit(Instr::Raise { src: err });
        } else {
            let rethrow = finally.map(|_| {
                let at = self.emit(Instr::PushHandler {
                    err: err2,
                    offset: 0,
                });
                self.tries.push(ctx);
                at
            });
            for clause in catches {
                self.set_pos(clause.span);
                let clause_mark = self.mark();
                let next = clause.kind.as_ref().map(|kind| {
                    let t = self.alloc();
                    let kind = self.name(kind);
                    self.emit(Instr::ErrorIs { dst: t, err, kind });
                    self.jump_if_false(t)
                });
                self.free_to(clause_mark);
                if let Some(local) = clause.binding {
                    self.declare_local(local, err);
                }
                self.block_to(&clause.body, dst);
                self.free_to(clause_mark);
                self.leave_catch_section(&ctx);
                to_end.push(self.jump());
                if let Some(next) = next {
                    self.patch_here(next);
                }
            }
            // No clause matched: the error goes on.
            self.leave_catch_section(&ctx);
            self.emit(Instr::Raise { src: err });
            if let Some(at) = rethrow {
                self.tries.pop();
                self.patch_here(at);
                self.run_finally(&ctx);
                self.emit(Instr::Raise { src: err2 });
            }
        }
        self.patch_all_here(&to_end);
        self.free_to(mark);
    }

    /// Normal exit from the catch clauses: with a `finally`, pops the
    /// clauses' handler and runs the `finally` code.
    fn leave_catch_section(&mut self, ctx: &TryCtx<'p>) {
        if ctx.finally.is_some() {
            let open = self.tries.pop();
            self.emit(Instr::PopHandler {});
            self.run_finally(ctx);
            self.tries.extend(open);
        }
    }
}
