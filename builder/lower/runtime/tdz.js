function _tdz(name) {
    throw new ReferenceError("Cannot access '" + name + "' before initialization");
}
