function _arrayLikeToArray(a, n) {
    if (n == null || n > a.length) n = a.length;
    for (var i = 0, r = new Array(n); i < n; i++) r[i] = a[i];
    return r;
}
