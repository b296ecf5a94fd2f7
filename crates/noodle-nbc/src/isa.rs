//! The NBC instruction set, defined once.
//!
//! Every instruction is one fixed-width 64-bit word: the opcode in the low
//! byte, then the operands packed from bit 8 upwards in declaration order.
//! The table below generates the [`Instr`] enum, its encoder and decoder,
//! mnemonics, operand metadata (for the verifier and the disassembler) and
//! the instruction reference in `docs/nbc.md`.
//!
//! Conventions used by the descriptions:
//! - `R[x]` is register (frame slot) `x` of the current frame.
//! - `K[x]` is entry `x` of the module's constant pool, `N[x]` entry `x` of
//!   its name table and `KW[x]` entry `x` of its keyword-name lists.
//! - Jump offsets are relative to the instruction *after* the jump.
//! - "Call window": a callee at `R[f]` with its arguments in
//!   `R[f+1] .. R[f+argc]`; the result replaces `R[f]`.

/// What an operand means; decides its width and how it is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// A register of the current frame (16 bits).
    Reg,
    /// An index into the constant pool (32 bits).
    Const,
    /// An index into the module's name table (16 bits): field, method,
    /// type and error-kind names and f-string format specs.
    Name,
    /// An index into the module's keyword-name lists (16 bits).
    Names,
    /// An index into the module's function table (32 bits).
    Proto,
    /// An index into the module's global table (32 bits).
    Global,
    /// An index into the builtin table, see [`crate::builtins`] (16 bits).
    Builtin,
    /// An index into the module's struct table (32 bits).
    Struct,
    /// An index into the module's enum table (32 bits).
    Enum,
    /// An index into the current closure's captured cells (16 bits).
    Upval,
    /// A relative jump offset (signed 32 bits).
    Jump,
    /// A signed immediate (signed 16 bits).
    Imm,
    /// A small count (16 bits).
    Count,
    /// A small flag or enumerator (8 bits).
    Flag,
}

impl OperandKind {
    pub const fn bits(self) -> u32 {
        match self {
            OperandKind::Reg
            | OperandKind::Name
            | OperandKind::Names
            | OperandKind::Builtin
            | OperandKind::Upval
            | OperandKind::Imm
            | OperandKind::Count => 16,
            OperandKind::Flag => 8,
            _ => 32,
        }
    }
}

/// One decoded operand value, tagged with its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operand {
    pub kind: OperandKind,
    /// The raw value; signed kinds are sign-extended.
    pub value: i64,
}

/// Static description of one instruction, for tools and docs.
#[derive(Clone, Copy, Debug)]
pub struct InstrInfo {
    pub opcode: u8,
    pub mnemonic: &'static str,
    pub operands: &'static [(&'static str, OperandKind)],
    pub doc: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    UnknownOpcode(u8),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownOpcode(op) => write!(f, "unknown opcode 0x{op:02x}"),
        }
    }
}

macro_rules! rust_type {
    (Reg) => {
        u16
    };
    (Const) => {
        u32
    };
    (Name) => {
        u16
    };
    (Names) => {
        u16
    };
    (Proto) => {
        u32
    };
    (Global) => {
        u32
    };
    (Builtin) => {
        u16
    };
    (Struct) => {
        u32
    };
    (Enum) => {
        u32
    };
    (Upval) => {
        u16
    };
    (Jump) => {
        i32
    };
    (Imm) => {
        i16
    };
    (Count) => {
        u16
    };
    (Flag) => {
        u8
    };
}

macro_rules! define_instructions {
    ($(
        $opcode:literal $name:ident $mnemonic:literal { $($field:ident : $kind:ident),* }
        $doc:literal;
    )*) => {
        /// One NBC instruction. See the module docs for the conventions.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $(
                #[doc = $doc]
                $name { $($field: rust_type!($kind)),* },
            )*
        }

        /// Every instruction, in opcode order.
        pub const INSTRUCTIONS: &[InstrInfo] = &[
            $(InstrInfo {
                opcode: $opcode,
                mnemonic: $mnemonic,
                operands: &[$((stringify!($field), OperandKind::$kind)),*],
                doc: $doc,
            },)*
        ];

        // Each instruction's operands must fit in the 56 bits above the opcode.
        $(
            const _: () = assert!(0 $(+ OperandKind::$kind.bits())* <= 56, $mnemonic);
        )*

        impl Instr {
            pub fn opcode(&self) -> u8 {
                match self { $(Instr::$name { .. } => $opcode,)* }
            }

            pub fn mnemonic(&self) -> &'static str {
                match self { $(Instr::$name { .. } => $mnemonic,)* }
            }

            /// The operands in declaration order.
            pub fn operands(&self) -> Vec<Operand> {
                match *self {
                    $(Instr::$name { $($field),* } => vec![
                        $(Operand { kind: OperandKind::$kind, value: $field as i64 }),*
                    ],)*
                }
            }

            /// The 64-bit word. Every field's Rust type is exactly as wide
            /// as its encoding, so nothing can be truncated.
            pub fn encode(&self) -> u64 {
                match *self {
                    $(Instr::$name { $($field),* } => {
                        #[allow(unused_mut)]
                        let mut word = $opcode as u64;
                        #[allow(unused_mut)]
                        let mut _shift = 8u32;
                        $(
                            let bits = OperandKind::$kind.bits();
                            let mask = (1u64 << bits) - 1;
                            word |= ((($field as i64) as u64) & mask) << _shift;
                            _shift += bits;
                        )*
                        word
                    })*
                }
            }

            pub fn decode(word: u64) -> Result<Instr, DecodeError> {
                let opcode = (word & 0xff) as u8;
                match opcode {
                    $($opcode => {
                        #[allow(unused_mut)]
                        let mut _shift = 8u32;
                        $(
                            let bits = OperandKind::$kind.bits();
                            let raw = (word >> _shift) & ((1u64 << bits) - 1);
                            _shift += bits;
                            // Truncating casts are the decoding: the field
                            // is exactly `bits` wide (signed kinds included).
                            let $field = raw as rust_type!($kind);
                        )*
                        Ok(Instr::$name { $($field),* })
                    })*
                    other => Err(DecodeError::UnknownOpcode(other)),
                }
            }
        }
    };
}

define_instructions! {
    // ---- loads and moves ----
    0x00 Nop "nop" {} "Does nothing.";
    0x01 Move "move" { dst: Reg, src: Reg } "R[dst] = R[src].";
    0x02 LoadConst "loadk" { dst: Reg, k: Const } "R[dst] = K[k] (an int, float, str or duration).";
    0x03 LoadInt "loadi" { dst: Reg, value: Imm } "R[dst] = the int `value`.";
    0x04 LoadNone "loadnone" { dst: Reg } "R[dst] = none.";
    0x05 LoadBool "loadbool" { dst: Reg, value: Flag } "R[dst] = (value != 0).";
    0x06 LoadGlobal "getglobal" { dst: Reg, global: Global }
        "R[dst] = global `global`; raises NameError when it has not been assigned yet.";
    0x07 StoreGlobal "setglobal" { global: Global, src: Reg } "global `global` = R[src].";
    0x08 LoadBuiltin "getbuiltin" { dst: Reg, builtin: Builtin }
        "R[dst] = builtin `builtin` (a native function, error constructor or module constant).";

    // ---- cells and closures: captured variables live in shared cells ----
    0x10 MakeCell "mkcell" { dst: Reg, src: Reg } "R[dst] = a new cell holding R[src] (dst may equal src).";
    0x11 LoadCell "getcell" { dst: Reg, cell: Reg } "R[dst] = the value in the cell R[cell].";
    0x12 StoreCell "setcell" { cell: Reg, src: Reg } "The cell R[cell] now holds R[src].";
    0x13 LoadUpval "getupval" { dst: Reg, idx: Upval } "R[dst] = the value in captured cell `idx` of the running closure.";
    0x14 StoreUpval "setupval" { idx: Upval, src: Reg } "Captured cell `idx` of the running closure now holds R[src].";
    0x15 Closure "closure" { dst: Reg, proto: Proto }
        "R[dst] = a closure of function `proto`, capturing the cells its capture list names (parent registers holding cells, or the parent's own captured cells).";

    // ---- arithmetic, comparison, bitwise: R[dst] = R[a] op R[b] ----
    0x20 Add "add" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] + R[b]: numbers (checked on ints), durations, str and list concatenation.";
    0x21 Sub "sub" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] - R[b].";
    0x22 Mul "mul" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] * R[b]; also str/list repetition and duration scaling.";
    0x23 Div "div" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] / R[b]; two ints give a float.";
    0x24 FloorDiv "floordiv" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] // R[b] (floor).";
    0x25 Mod "mod" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] % R[b] (floored, sign of the divisor).";
    0x26 Pow "pow" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] ** R[b].";
    0x27 BitAnd "band" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] & R[b] (ints).";
    0x28 BitOr "bor" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] | R[b] (ints).";
    0x29 BitXor "bxor" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] ^ R[b] (ints).";
    0x2a Shl "shl" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] << R[b] (checked).";
    0x2b Shr "shr" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] >> R[b] (arithmetic).";
    0x2c Eq "eq" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] == R[b] (structural).";
    0x2d Ne "ne" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] != R[b].";
    0x2e Lt "lt" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] < R[b]; TypeError for unordered pairs.";
    0x2f Le "le" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] <= R[b].";
    0x30 Gt "gt" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] > R[b].";
    0x31 Ge "ge" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] >= R[b].";
    0x32 In "in" { dst: Reg, a: Reg, b: Reg } "R[dst] = R[a] in R[b] (list element, map key, substring, range member).";
    0x33 Neg "neg" { dst: Reg, src: Reg } "R[dst] = -R[src] (checked).";
    0x34 Not "not" { dst: Reg, src: Reg } "R[dst] = not truthy(R[src]).";
    0x35 BitNot "bnot" { dst: Reg, src: Reg } "R[dst] = ~R[src].";
    0x36 AddImm "addi" { dst: Reg, a: Reg, imm: Imm } "R[dst] = R[a] + imm (any operand type that `add` accepts with an int).";

    // ---- control flow ----
    0x40 Jump "jmp" { offset: Jump } "pc += offset.";
    0x41 JumpIfFalse "jmpf" { cond: Reg, offset: Jump } "If R[cond] is false or none, pc += offset.";
    0x42 JumpIfTrue "jmpt" { cond: Reg, offset: Jump } "If R[cond] is neither false nor none, pc += offset.";
    0x43 JumpIfSet "jmpset" { reg: Reg, offset: Jump }
        "If R[reg] holds an argument (is not the 'missing' marker of an omitted parameter), pc += offset. Used for default values.";
    0x44 ForPrep "forprep" { base: Reg, inclusive: Flag, offset: Jump }
        "Integer range loop set-up: R[base] is the start, R[base+1] the end (both must be ints, TypeError otherwise). If the range is empty, pc += offset; else R[base+2] = R[base]. `inclusive` != 0 for `a..=b`.";
    0x45 ForStep "forstep" { base: Reg, inclusive: Flag, offset: Jump }
        "Integer range loop step: R[base] += 1; if still within R[base+1], R[base+2] = R[base] and pc += offset (a backward jump).";
    0x46 IterInit "iter" { dst: Reg, src: Reg }
        "R[dst] = an iterator over R[src]: list elements, str characters, map keys, range values; TypeError otherwise.";
    0x47 IterNext "next" { iter: Reg, offset: Jump }
        "Advance the iterator R[iter]: if exhausted, pc += offset; else R[iter+1] = the next value.";

    // ---- calls ----
    0x50 KwNames "kwnames" { names: Names }
        "The next call's last len(KW[names]) arguments are named, with these names.";
    0x51 Call "call" { func: Reg, argc: Count }
        "Call window: R[func] = R[func](R[func+1] .. R[func+argc]). Calls functions, closures, builtins, struct types and enum variant constructors.";
    0x52 CallMethod "callmethod" { base: Reg, argc: Count, name: Name }
        "R[base] = R[base].N[name](R[base+1] .. R[base+argc]): an impl method (receiver passed as `self`), a native method of a builtin type, or a function stored in a field of that name.";
    0x53 Return "ret" { src: Reg } "Return R[src] to the caller.";
    0x54 ReturnNone "retnone" {} "Return none to the caller.";
    0x55 CheckType "checktype" { reg: Reg, ty: Name }
        "Raise TypeError unless type_of(R[reg]) is N[ty] (`any` accepts everything); an int checked against `float` is converted to a float in place.";
    0x56 CallMethodDiscard "callmethod_discard" { base: Reg, argc: Count, name: Name }
        "As callmethod, for a call whose value is unused (an expression statement): a send to an actor queues the message with no reply future, so the handler's value goes nowhere and its error only to a supervisor. R[base] is clobbered.";

    // ---- collections and fields ----
    0x60 NewList "newlist" { dst: Reg, base: Reg, count: Count } "R[dst] = [R[base] .. R[base+count-1]].";
    0x61 ListPush "listpush" { list: Reg, src: Reg } "Append R[src] to the list R[list].";
    0x62 NewMap "newmap" { dst: Reg, base: Reg, count: Count }
        "R[dst] = a map of `count` pairs: keys R[base], R[base+2], ..., values R[base+1], R[base+3], ...";
    0x63 GetIndex "getindex" { dst: Reg, obj: Reg, index: Reg } "R[dst] = R[obj][R[index]].";
    0x64 SetIndex "setindex" { obj: Reg, index: Reg, src: Reg } "R[obj][R[index]] = R[src].";
    0x65 Slice "slice" { dst: Reg, base: Reg, inclusive: Flag }
        "R[dst] = R[base][R[base+1] .. R[base+2]] (a bound of none is open); slices clamp.";
    0x66 GetField "getfield" { dst: Reg, obj: Reg, name: Name }
        "R[dst] = R[obj].N[name]: a struct field, an error's kind/message/trace/errors, a duration's ms/s, an enum type's variant.";
    0x67 SetField "setfield" { obj: Reg, name: Name, src: Reg } "R[obj].N[name] = R[src] (struct fields; checked against the field's type).";
    0x68 GetFieldAt "getfieldat" { dst: Reg, obj: Reg, idx: Count }
        "R[dst] = positional field `idx` of the struct or enum value R[obj] (pattern matching, after an `isinstance`).";
    0x69 NewRange "range" { dst: Reg, start: Reg, inclusive: Flag }
        "R[dst] = the range R[start] .. R[start+1] (both ints).";
    0x6a Len "len" { dst: Reg, src: Reg } "R[dst] = len(R[src]).";

    // ---- strings ----
    0x70 ToStr "tostr" { dst: Reg, src: Reg } "R[dst] = str(R[src]).";
    0x71 Format "format" { dst: Reg, src: Reg, spec: Name } "R[dst] = R[src] formatted with the f-string spec N[spec] (`.3`, `>8`, `<8`).";
    0x72 Concat "concat" { dst: Reg, base: Reg, count: Count } "R[dst] = the concatenation of the strings R[base] .. R[base+count-1].";

    // ---- types, patterns ----
    0x80 DefStruct "defstruct" { dst: Reg, def: Struct } "R[dst] = the struct type of struct definition `def` (callable: constructs instances).";
    0x81 DefEnum "defenum" { dst: Reg, def: Enum } "R[dst] = the enum type of enum definition `def` (its fields are the variants).";
    0x82 AddMethod "addmethod" { ty: Reg, func: Reg }
        "Add the closure R[func] to the struct or enum type R[ty] as a method named after its function (the part after the last `.`: function `Point.norm` is method `norm`).";
    0x83 IsType "istype" { dst: Reg, src: Reg, ty: Name } "R[dst] = (type_of(R[src]) == N[ty]).";
    0x84 IsInstance "isinstance" { dst: Reg, src: Reg, ty: Reg }
        "R[dst] = whether R[src] is an instance of R[ty]: a struct type, an enum type (any variant), or an enum variant constructor or unit variant.";

    // ---- errors ----
    0x90 Raise "raise" { src: Reg } "Raise the error R[src] (TypeError if it is not an error). An error keeps the trace of the place it was first raised.";
    0x91 PushHandler "try" { err: Reg, offset: Jump }
        "Install an error handler: if an error is raised before the matching `endtry`, unwind to this frame, R[err] = the error, pc = (next pc) + offset.";
    0x92 PopHandler "endtry" {} "Remove the innermost handler installed by this frame.";
    0x93 ErrorIs "erroris" { dst: Reg, err: Reg, kind: Name } "R[dst] = (R[err] is an error of kind N[kind]).";

    // ---- concurrency (executed by the runtime) ----
    0xa0 AsyncBegin "async_begin" {} "Entry of an async function body: the call becomes a coroutine.";
    0xa1 Await "await" { dst: Reg, src: Reg } "R[dst] = the result of awaiting R[src] (a coroutine, task, reply or future).";
    0xa2 AsyncEnd "async_end" { src: Reg } "Completion of an async function body with the result R[src].";
    0xa3 Spawn "spawn" { func: Reg, argc: Count }
        "Call window, spawned: R[func] = a task running R[func](args), or the address of a new actor when R[func] is an actor type.";
    0xa4 DefActor "defactor" { dst: Reg, proto: Proto }
        "R[dst] = the actor type whose constructor is function `proto`: it takes the actor's parameters, runs its state initialisers and returns a map with `handlers` (name → closure), `annotations`, and `get_state` / `set_state` closures for checkpoints and restarts.";
    0xa5 DefSupervisor "defsupervisor" { dst: Reg, proto: Proto }
        "R[dst] = the supervisor type whose constructor is function `proto`: it returns a map with the options (strategy, max_restarts, within) and the ordered child specs.";
    0xa6 LoadSelf "self" { dst: Reg } "R[dst] = the address of the running actor.";
    0xa7 Parallel "parallel" { dst: Reg, base: Reg, count: Count, strategy: Flag }
        "R[dst] = the outcome of a parallel block: R[base] holds the options map, R[base+1] .. R[base+count] the branch closures; strategy 0 all, 1 any, 2 race, 3 collect.";
}

impl std::fmt::Display for Instr {
    /// `add r3, r1, r2` style, with operand prefixes by kind.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.mnemonic())?;
        for (i, op) in self.operands().iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            let prefix = match op.kind {
                OperandKind::Reg => "r",
                OperandKind::Const => "k",
                OperandKind::Name => "n",
                OperandKind::Names => "kw",
                OperandKind::Proto => "fn",
                OperandKind::Global => "g",
                OperandKind::Builtin => "b",
                OperandKind::Struct => "struct",
                OperandKind::Enum => "enum",
                OperandKind::Upval => "up",
                OperandKind::Jump => "@",
                OperandKind::Imm | OperandKind::Count | OperandKind::Flag => "",
            };
            if op.kind == OperandKind::Jump && op.value >= 0 {
                write!(f, "{sep}{prefix}+{}", op.value)?;
            } else {
                write!(f, "{sep}{prefix}{}", op.value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_eight_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 8);
    }

    #[test]
    fn opcodes_are_unique_and_sorted() {
        for pair in INSTRUCTIONS.windows(2) {
            assert!(pair[0].opcode < pair[1].opcode, "{}", pair[1].mnemonic);
        }
    }

    #[test]
    fn encode_decode_round_trips_extreme_operands() {
        let samples = [
            Instr::Move {
                dst: u16::MAX,
                src: 0,
            },
            Instr::LoadInt {
                dst: 7,
                value: i16::MIN,
            },
            Instr::LoadInt { dst: 7, value: -1 },
            Instr::Jump { offset: i32::MIN },
            Instr::JumpIfFalse {
                cond: 3,
                offset: -5,
            },
            Instr::ForPrep {
                base: 65535,
                inclusive: 1,
                offset: i32::MAX,
            },
            Instr::LoadConst {
                dst: 1,
                k: u32::MAX,
            },
            Instr::CallMethod {
                base: 2,
                argc: 3,
                name: 99,
            },
            Instr::CallMethodDiscard {
                base: 4,
                argc: 0,
                name: u16::MAX,
            },
            Instr::Parallel {
                dst: 1,
                base: 2,
                count: 3,
                strategy: 3,
            },
            Instr::AddImm {
                dst: 1,
                a: 2,
                imm: -300,
            },
        ];
        for instr in samples {
            assert_eq!(Instr::decode(instr.encode()), Ok(instr), "{instr}");
        }
    }

    #[test]
    fn every_table_entry_decodes_from_its_opcode() {
        for info in INSTRUCTIONS {
            let instr = Instr::decode(info.opcode as u64).expect(info.mnemonic);
            assert_eq!(instr.mnemonic(), info.mnemonic);
            assert_eq!(instr.opcode(), info.opcode);
            assert_eq!(instr.operands().len(), info.operands.len());
        }
    }

    #[test]
    fn unknown_opcode_is_an_error() {
        assert_eq!(Instr::decode(0xff), Err(DecodeError::UnknownOpcode(0xff)));
    }

    #[test]
    fn displays_operands_by_kind() {
        let i = Instr::JumpIfFalse { cond: 3, offset: 4 };
        assert_eq!(i.to_string(), "jmpf r3, @+4");
        let i = Instr::LoadGlobal { dst: 0, global: 12 };
        assert_eq!(i.to_string(), "getglobal r0, g12");
    }
}
