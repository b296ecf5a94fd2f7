//! `match`: each arm's pattern becomes a sequence of tests that jump to
//! the next arm on failure; a value no arm matches raises `MatchError`.

use crate::func::{FnBuilder, Reg};
use noodle_nbc::Instr;
use noodle_nbc::builtins::builtin_index;
use noodle_sema::ir::{Expr, LocalId, MatchArm, Pattern, PatternKind};

impl<'p> FnBuilder<'_, 'p> {
    pub fn match_to(&mut self, scrutinee: &'p Expr, arms: &'p [MatchArm], dst: Option<Reg>) {
        let mark = self.mark();
        // A copy: guards and bodies may assign the variable matched on.
        let value = self.expr_temp(scrutinee);
        let mut to_end = Vec::with_capacity(arms.len());
        for arm in arms {
            let arm_mark = self.mark();
            // Every alternative of the pattern binds the same registers.
            for &local in &arm.bindings {
                let reg = self.alloc();
                self.local_regs[local as usize] = Some(reg);
            }
            let mut fail = Vec::new();
            self.set_pos(arm.pattern.span);
            self.test(&arm.pattern, value, &mut fail);
            if let Some(guard) = &arm.guard {
                let guard_mark = self.mark();
                let g = self.expr_any(guard);
                self.set_pos(guard.span);
                fail.push(self.jump_if_false(g));
                self.free_to(guard_mark);
            }
            match dst {
                Some(d) => self.expr_to(&arm.body, d),
                None => self.expr_effect(&arm.body),
            }
            to_end.push(self.jump());
            self.patch_all_here(&fail);
            self.free_to(arm_mark);
        }
        self.set_pos(scrutinee.span);
        self.raise_match_error(value);
        self.patch_all_here(&to_end);
        self.free_to(mark);
    }

    /// `raise MatchError("no pattern matches " + repr(value))`.
    fn raise_match_error(&mut self, value: Reg) {
        let mark = self.mark();
        let ctor = self.alloc();
        let message = self.alloc();
        let repr = self.alloc();
        let arg = self.alloc();
        self.load_builtin(ctor, "MatchError");
        self.load_str(message, "no pattern matches ");
        self.load_builtin(repr, "repr");
        self.emit(Instr::Move {
            dst: arg,
            src: value,
        });
        self.emit(Instr::Call {
            func: repr,
            argc: 1,
        });
        self.emit(Instr::Concat {
            dst: message,
            base: message,
            count: 2,
        });
        self.emit(Instr::Call {
            func: ctor,
            argc: 1,
        });
        self.emit(Instr::Raise { src: ctor });
        self.free_to(mark);
    }

    pub fn load_builtin(&mut self, dst: Reg, name: &str) {
        match builtin_index(name) {
            Some(builtin) => {
                self.emit(Instr::LoadBuiltin { dst, builtin });
            }
            None => self.cg.internal_error(format!("missing builtin `{name}`")),
        }
    }

    /// Emits the tests of `p` against the value in `value`; each failing
    /// test jumps to a jump recorded in `fail`. Binds on the way.
    fn test(&mut self, p: &'p Pattern, value: Reg, fail: &mut Vec<usize>) {
        let mark = self.mark();
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Literal(e) => {
                let lit = self.expr_temp(e);
                self.emit(Instr::Eq {
                    dst: lit,
                    a: value,
                    b: lit,
                });
                fail.push(self.jump_if_false(lit));
            }
            PatternKind::Bind(local) => self.bind_pattern(*local, value),
            PatternKind::Typed { local, ty } => {
                if ty != "any" {
                    self.type_test(value, ty, fail);
                }
                if let Some(local) = local {
                    self.bind_pattern(*local, value);
                }
            }
            PatternKind::Or(alts) => {
                let mut matched = Vec::with_capacity(alts.len());
                for (i, alt) in alts.iter().enumerate() {
                    if i + 1 == alts.len() {
                        self.test(alt, value, fail);
                    } else {
                        let mut next = Vec::new();
                        self.test(alt, value, &mut next);
                        matched.push(self.jump());
                        self.patch_all_here(&next);
                    }
                }
                self.patch_all_here(&matched);
            }
            PatternKind::List { items, rest } => {
                self.type_test(value, "list", fail);
                let len = self.alloc();
                let expected = self.alloc();
                self.emit(Instr::Len {
                    dst: len,
                    src: value,
                });
                self.load_int(expected, items.len() as i64);
                self.emit(if rest.is_some() {
                    Instr::Ge {
                        dst: len,
                        a: len,
                        b: expected,
                    }
                } else {
                    Instr::Eq {
                        dst: len,
                        a: len,
                        b: expected,
                    }
                });
                fail.push(self.jump_if_false(len));
                for (i, item) in items.iter().enumerate() {
                    if matches!(item.kind, PatternKind::Wildcard) {
                        continue;
                    }
                    let item_mark = self.mark();
                    let elem = self.sub_value_reg(item);
                    let index = self.alloc();
                    self.load_int(index, i as i64);
                    self.emit(Instr::GetIndex {
                        dst: elem,
                        obj: value,
                        index,
                    });
                    self.test(item, elem, fail);
                    self.free_to(item_mark);
                }
                if let Some(Some(local)) = rest {
                    // rest = value[len(items)..]
                    let base = self.alloc_n(3);
                    self.emit(Instr::Move {
                        dst: base,
                        src: value,
                    });
                    self.load_int(base + 1, items.len() as i64);
                    self.emit(Instr::LoadNone { dst: base + 2 });
                    self.emit(Instr::Slice {
                        dst: base,
                        base,
                        inclusive: 0,
                    });
                    self.bind_pattern(*local, base);
                }
            }
            PatternKind::Map(entries) => {
                self.type_test(value, "map", fail);
                for (key, pat) in entries {
                    let entry_mark = self.mark();
                    let k = self.expr_temp(key);
                    let t = self.alloc();
                    self.emit(Instr::In {
                        dst: t,
                        a: k,
                        b: value,
                    });
                    fail.push(self.jump_if_false(t));
                    self.emit(Instr::GetIndex {
                        dst: t,
                        obj: value,
                        index: k,
                    });
                    self.test(pat, t, fail);
                    self.free_to(entry_mark);
                }
            }
            PatternKind::Instance { ty, fields } => {
                let ty_reg = self.expr_temp(ty);
                self.emit(Instr::IsInstance {
                    dst: ty_reg,
                    src: value,
                    ty: ty_reg,
                });
                fail.push(self.jump_if_false(ty_reg));
                for (i, field) in fields.iter().flatten().enumerate() {
                    if matches!(field.kind, PatternKind::Wildcard) {
                        continue;
                    }
                    let field_mark = self.mark();
                    let f = self.sub_value_reg(field);
                    self.emit(Instr::GetFieldAt {
                        dst: f,
                        obj: value,
                        idx: i as u16,
                    });
                    self.test(field, f, fail);
                    self.free_to(field_mark);
                }
            }
        }
        self.free_to(mark);
    }

    /// Where to put a part of the matched value before testing `sub`: a
    /// plain binding's own register (the test is then a no-op), else a
    /// new temporary.
    fn sub_value_reg(&mut self, sub: &Pattern) -> Reg {
        match sub.kind {
            PatternKind::Bind(local) if !self.is_captured(local) => self.local_reg(local),
            _ => self.alloc(),
        }
    }

    fn type_test(&mut self, value: Reg, ty: &str, fail: &mut Vec<usize>) {
        let mark = self.mark();
        let t = self.alloc();
        let ty = self.name(ty);
        self.emit(Instr::IsType {
            dst: t,
            src: value,
            ty,
        });
        fail.push(self.jump_if_false(t));
        self.free_to(mark);
    }

    /// Stores a matched value in a binding's register (pre-allocated for
    /// the arm), in a fresh cell when captured.
    fn bind_pattern(&mut self, local: LocalId, value: Reg) {
        let reg = self.local_reg(local);
        self.bind_local(local, reg, value);
    }
}
