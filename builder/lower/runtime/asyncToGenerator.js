// Runs an async function that the async pass made a generator function:
// gen.apply(self, args) is started at once (as an async function's body
// is), each yielded value is awaited (Promise.resolve, then: the one tick a
// native await takes), and the result settles the promise returned. A
// throw, even from the parameters, rejects it (docs/internals/lowering/
// generators.md).
function _asyncToGenerator(gen, self, args) {
    return new Promise(function (resolve, reject) {
        var it = gen.apply(self, args);
        function step(method, arg) {
            var r;
            try {
                r = it[method](arg);
            } catch (e) {
                reject(e);
                return;
            }
            if (r.done) resolve(r.value);
            else Promise.resolve(r.value).then(next, fail);
        }
        function next(v) {
            step("next", v);
        }
        function fail(e) {
            step("throw", e);
        }
        next();
    });
}
