// The right side of `#x in obj` must be an object.
function _checkInRHS(obj) {
    if (Object(obj) !== obj)
        throw new TypeError("Cannot use 'in' operator to search for a private member in a non-object");
    return obj;
}
