//! A generator of random, well-formed modules in the generic op form, driven
//! by a seed: ops of an unregistered dialect with random results, operands
//! (any value in scope), attributes of every kind, nested regions, blocks
//! with arguments and successors.

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SCALAR_TYPES: &[&str] =
    &["i1", "i8", "i32", "i64", "si16", "ui8", "index", "f16", "bf16", "f32", "f64"];

const OTHER_TYPES: &[&str] = &[
    "tensor<?x4xf32>",
    "tensor<*xi8>",
    "tensor<f64>",
    "tensor<2x0xi32>",
    "vector<4xf32>",
    "vector<2x[4]xi32>",
    "memref<2x?xf32>",
    "memref<4xf32, strided<[2], offset: ?>>",
    "memref<8xi8, 3>",
    "tuple<i32, f32>",
    "tuple<>",
    "(i32) -> f32",
    "() -> (f32, i1)",
    "!foo.bar<\"x\">",
    "!foo.baz",
    "none",
];

pub struct Gen {
    rng: Rng,
    next_value: u32,
    /// Stack of visible values (name, type).
    scope: Vec<(String, String)>,
    out: String,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen { rng: Rng::new(seed), next_value: 0, scope: Vec::new(), out: String::new() }
    }

    fn ty(&mut self) -> String {
        if self.rng.chance(70) {
            self.rng.pick(SCALAR_TYPES).to_string()
        } else {
            self.rng.pick(OTHER_TYPES).to_string()
        }
    }

    fn int_literal(&mut self, ty: &str) -> String {
        let v: i128 = match ty {
            "i1" => self.rng.below(2) as i128,
            "i8" => self.rng.below(256) as i128 - 128,
            "ui8" => self.rng.below(256) as i128,
            "si16" => self.rng.below(65536) as i128 - 32768,
            "i32" => self.rng.next() as i32 as i128,
            _ => self.rng.next() as i64 as i128,
        };
        format!("{v}")
    }

    fn float_literal(&mut self, ty: &str) -> String {
        match self.rng.below(4) {
            0 => {
                let bits = self.rng.next();
                let digits = match ty {
                    "f16" | "bf16" => 4,
                    "f32" => 8,
                    _ => 16,
                };
                let masked = if digits == 16 { bits } else { bits & ((1u64 << (digits * 4)) - 1) };
                format!("0x{masked:0digits$X}")
            }
            1 => format!("{}.{}", self.rng.below(1000), self.rng.below(1000)),
            2 => format!(
                "-{}.{}e{}",
                self.rng.below(10),
                self.rng.below(100000),
                self.rng.below(30) as i64 - 15
            ),
            _ => self.rng.pick(&["0.0", "-0.0", "1.0", "0.1", "3.4028235e38", "1.0e-45"]).to_string(),
        }
    }

    fn string_literal(&mut self) -> String {
        let mut s = String::from("\"");
        for _ in 0..self.rng.below(8) {
            match self.rng.below(6) {
                0 => s.push_str("\\\""),
                1 => s.push_str("\\\\"),
                2 => s.push_str("\\0A"),
                3 => s.push_str("\\n"),
                _ => s.push(*self.rng.pick(&['a', 'Z', ' ', '%', '{', '#', '7', '}'])),
            }
        }
        s.push('"');
        s
    }

    fn attr(&mut self, depth: u32) -> String {
        let choice = if depth > 2 { self.rng.below(8) } else { self.rng.below(14) };
        match choice {
            0 => {
                let ty = *self.rng.pick(&["i1", "i8", "i32", "i64", "si16", "ui8", "index"]);
                if ty == "i1" {
                    self.rng.pick(&["true", "false"]).to_string()
                } else {
                    format!("{} : {ty}", self.int_literal(ty))
                }
            }
            1 => {
                let ty = *self.rng.pick(&["f16", "bf16", "f32", "f64"]);
                format!("{} : {ty}", self.float_literal(ty))
            }
            2 => self.string_literal(),
            3 => "unit".to_string(),
            4 => self.ty(),
            5 => self.rng.pick(&["@sym", "@a::@b", "@\"quoted name\"", "@x::@\"y z\"::@w"]).to_string(),
            6 => self
                .rng
                .pick(&[
                    "#foo.bar<none>",
                    "#foo<\"opaque\">",
                    "#dialect.flag",
                    "affine_map<(d0) -> (d0 + 1)>",
                ])
                .to_string(),
            7 => format!("{}", self.rng.next() as i64),
            8 | 9 => {
                let n = self.rng.below(4);
                let elems: Vec<String> = (0..n).map(|_| self.attr(depth + 1)).collect();
                format!("[{}]", elems.join(", "))
            }
            10 => self.dict(depth + 1),
            11 => {
                let ty = *self.rng.pick(&["i32", "i1", "f32", "f64", "i8", "bf16"]);
                let n = 1 + self.rng.below(3);
                let m = 1 + self.rng.below(3);
                let splat = self.rng.chance(30);
                let elem = |g: &mut Gen| match ty {
                    "i1" => g.rng.pick(&["true", "false"]).to_string(),
                    "f32" | "f64" | "bf16" => g.float_literal(ty),
                    _ => g.int_literal(ty),
                };
                let body = if splat {
                    elem(self)
                } else {
                    let rows: Vec<String> = (0..n)
                        .map(|_| {
                            let row: Vec<String> = (0..m).map(|_| elem(self)).collect();
                            format!("[{}]", row.join(", "))
                        })
                        .collect();
                    format!("[{}]", rows.join(", "))
                };
                let container = if self.rng.chance(50) { "tensor" } else { "vector" };
                format!("dense<{body}> : {container}<{n}x{m}x{ty}>")
            }
            12 => {
                let ty = *self.rng.pick(&["i64", "i32", "i8", "i1", "f32", "f64"]);
                let n = self.rng.below(4);
                let elems: Vec<String> = (0..n)
                    .map(|_| match ty {
                        "i1" => self.rng.pick(&["true", "false"]).to_string(),
                        "f32" | "f64" => format!("{}.5", self.rng.below(100)),
                        _ => self.int_literal(ty),
                    })
                    .collect();
                if elems.is_empty() {
                    format!("array<{ty}>")
                } else {
                    format!("array<{ty}: {}>", elems.join(", "))
                }
            }
            _ => "dense<> : tensor<0xf32>".to_string(),
        }
    }

    fn dict(&mut self, depth: u32) -> String {
        let n = self.rng.below(4);
        let mut names: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        for _ in 0..n {
            let name =
                self.rng.pick(&["a", "b", "value", "sym_name", "x.y", "\"quoted key\"", "_z$"]).to_string();
            if names.contains(&name) {
                continue;
            }
            names.push(name.clone());
            if self.rng.chance(20) {
                entries.push(name);
            } else {
                entries.push(format!("{name} = {}", self.attr(depth)));
            }
        }
        format!("{{{}}}", entries.join(", "))
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn op(&mut self, depth: usize, blocks: &[String]) {
        self.indent(depth + 1);
        let nres = *self.rng.pick(&[0u32, 1, 1, 1, 2, 3]);
        let result_types: Vec<String> = (0..nres).map(|_| self.ty()).collect();
        let base = format!("%v{}", self.next_value);
        self.next_value += 1;
        if nres == 1 {
            self.out.push_str(&format!("{base} = "));
        } else if nres > 1 {
            self.out.push_str(&format!("{base}:{nres} = "));
        }
        let name = self.rng.pick(&["p.op", "p.compute", "p.other_op", "q.x"]);
        self.out.push_str(&format!("\"{name}\"("));
        let mut operand_types = Vec::new();
        if !self.scope.is_empty() {
            let n = self.rng.below(4);
            let mut names = Vec::new();
            for _ in 0..n {
                let (v, t) = self.rng.pick(&self.scope).clone();
                names.push(v);
                operand_types.push(t);
            }
            self.out.push_str(&names.join(", "));
        }
        self.out.push(')');
        if !blocks.is_empty() && self.rng.chance(25) {
            let n = 1 + self.rng.below(2);
            let succ: Vec<String> = (0..n).map(|_| self.rng.pick(blocks).clone()).collect();
            self.out.push_str(&format!("[{}]", succ.join(", ")));
        }
        if self.rng.chance(15) {
            let d = self.dict(1);
            self.out.push_str(&format!(" <{d}>"));
        }
        if depth < 3 && self.rng.chance(25) {
            let n = 1 + self.rng.below(2);
            self.out.push_str(" (");
            for r in 0..n {
                if r > 0 {
                    self.out.push_str(", ");
                }
                self.region(depth + 1);
            }
            self.out.push(')');
        }
        if self.rng.chance(50) {
            let d = self.dict(0);
            self.out.push_str(&format!(" {d}"));
        }
        let res = if result_types.len() == 1 && !result_types[0].contains("->") {
            result_types[0].clone()
        } else {
            format!("({})", result_types.join(", "))
        };
        self.out.push_str(&format!(" : ({}) -> {res}", operand_types.join(", ")));
        if self.rng.chance(10) {
            self.out.push_str(&format!(" loc(\"gen.mlir\":{}:{})", self.rng.below(100), self.rng.below(100)));
        }
        self.out.push('\n');
        match nres {
            0 => {}
            1 => self.scope.push((base, result_types[0].clone())),
            _ => {
                for (i, t) in result_types.iter().enumerate() {
                    self.scope.push((format!("{base}#{i}"), t.clone()));
                }
            }
        }
    }

    fn region(&mut self, depth: usize) {
        self.out.push_str("{\n");
        let nblocks = self.rng.below(4) as usize;
        // (label, argument count, whether the label is written)
        let mut blocks = Vec::new();
        for i in 0..nblocks {
            let nargs = self.rng.below(3);
            let labelled = i > 0 || nargs > 0 || self.rng.chance(30);
            blocks.push((format!("^b{i}x{}", self.next_value), nargs, labelled));
        }
        // MLIR's verifier: no branch to an entry block, and only the last op
        // of a block may have successors.
        let targets: Vec<String> = blocks.iter().skip(1).map(|b| b.0.clone()).collect();
        let saved = self.scope.len();
        for (label, nargs, labelled) in blocks {
            if labelled {
                self.indent(depth);
                self.out.push_str(&label);
                if nargs > 0 {
                    let mut args = Vec::new();
                    for _ in 0..nargs {
                        let name = format!("%a{}", self.next_value);
                        self.next_value += 1;
                        let t = self.ty();
                        args.push(format!("{name}: {t}"));
                        self.scope.push((name, t));
                    }
                    self.out.push_str(&format!("({})", args.join(", ")));
                }
                self.out.push_str(":\n");
            }
            // MLIR rejects empty blocks in a region of several blocks.
            let min_ops = u64::from(nblocks > 1);
            let n = min_ops.max(self.rng.below(4));
            for i in 0..n {
                let t: &[String] = if i + 1 == n { &targets } else { &[] };
                self.op(depth, t);
            }
            // Values of a block do not dominate its sibling blocks.
            self.scope.truncate(saved);
        }
        self.indent(depth);
        self.out.push('}');
    }

    /// A whole file: top-level ops, optionally with alias definitions.
    pub fn module(mut self) -> String {
        if self.rng.chance(30) {
            self.out.push_str("!alias = tensor<2xf32>\n#attr_alias = {k = 1 : i8}\n");
            self.scope.push(("%alias_user".to_string(), "!alias".to_string()));
            self.out.push_str("%alias_user = \"p.def\"() {a = #attr_alias} : () -> !alias\n");
        }
        for _ in 0..1 + self.rng.below(6) {
            self.op(0, &[]);
        }
        self.out
    }
}
