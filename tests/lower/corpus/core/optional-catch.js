// catch without a binding; finally ordering; rethrow.
function f() { try { JSON.parse("{"); return "no"; } catch { return "caught"; } finally { console.log("finally"); } }
console.log(f());
try { try { throw 1; } catch { throw 2; } } catch (e) { console.log(e); }
