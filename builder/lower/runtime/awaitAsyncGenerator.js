function _awaitAsyncGenerator(value, kind) {
    // What a lowered async generator yields to _wrapAsyncGenerator instead of
    // a value: kind 0 (`await value`): resume with the outcome; 2: the same,
    // resuming through return() (a delegate's return); 1: yield value as it
    // is (yield* passes the inner values on without awaiting them).
    if (!(this instanceof _awaitAsyncGenerator)) return new _awaitAsyncGenerator(value, kind);
    this.value = value;
    this.kind = kind || 0;
}
