// targets: es2020 es2021 es2022 baseline
// ++ and -- on a private field convert as ++ does: BigInt stays BigInt.
class Big {
    #n = 10n;
    inc() {
        return [this.#n++, ++this.#n, this.#n];
    }
}
console.log(new Big().inc().join(","));
