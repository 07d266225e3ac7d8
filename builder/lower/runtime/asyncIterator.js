function _asyncIterator(iterable) {
    // GetIterator(iterable, async): its Symbol.asyncIterator method, else its
    // Symbol.iterator one wrapped so that each value is awaited.
    var hasSymbol = typeof Symbol === "function", m;
    if (iterable != null) {
        m = iterable[hasSymbol && Symbol.asyncIterator || "@@asyncIterator"];
        if (m != null) return m.call(iterable);
        m = iterable[hasSymbol && Symbol.iterator || "@@iterator"];
        if (m != null) return _asyncFromSyncIterator(m.call(iterable));
    }
    throw new TypeError(iterable + " is not async iterable");
}
