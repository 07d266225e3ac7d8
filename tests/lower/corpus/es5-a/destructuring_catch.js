// A catch parameter pattern binds in the catch block only (a `let`, which
// the block-scoping pass lowers), shadowing outer names of the same name.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var code = "outer";
try {
    throw { code: 7, detail: { msg: "m" } };
} catch ({ code, detail: { msg, extra = "dflt" } }) {
    log([code, msg, extra]);
}
log(code);
try {
    throw [1, 2];
} catch ([first, ...others]) {
    log([first, others]);
}
try {
    try {
        throw null;
    } catch ({ prop }) {
        log("unreachable");
    }
} catch (e) {
    log(e instanceof TypeError);
}
