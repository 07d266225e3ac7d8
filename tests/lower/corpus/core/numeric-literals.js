// Numeric separators, binary/octal literals, and escapes in strings.
console.log(1_000_000, 0b1010_1010, 0o7_7, 0xFF_FF, 1_0.5e1_0, .5_5);
console.log(0b11, 0O17, 0B1, 0o10);
console.log("\u{1F600}".length, "\u{41}");
