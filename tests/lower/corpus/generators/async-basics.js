// Async functions: await of values, promises and thenables, a returned promise
// adopted, this and arguments, methods and expressions, errors after an await
// caught by try/catch, and a throw before the first await rejecting.
var out = [];
function later(v) {
  return new Promise(function (resolve) {
    setTimeout(function () {
      resolve(v);
    }, 1);
  });
}
async function values() {
  var a = await 1;
  var b = await later(2);
  var c = await { then: function (resolve) { resolve(3); } };
  return a + b + c;
}
async function adopt() {
  return later("adopted");
}
var obj = {
  tag: "obj",
  method: async function (x) {
    await null;
    return this.tag + ":" + x + ":" + arguments.length;
  }
};
var expr = async function named(n) {
  if (n > 0) return (await named(n - 1)) + n;
  return 0;
};
async function caught() {
  try {
    await Promise.reject(new Error("rejected"));
    return "not reached";
  } catch (e) {
    return "caught " + e.message;
  } finally {
    out.push("finally ran");
  }
}
async function throwsEarly() {
  throw new Error("early");
}
async function throwsLate() {
  await 0;
  null.x;
}
async function loop() {
  var sum = 0;
  for (var i = 0; i < 3; i++) sum += await later(i);
  return sum;
}
var p = throwsEarly();
p.then(null, function () {}); // handled at once: no unhandled rejection
out.push("throwsEarly returned a " + (p instanceof Promise ? "promise" : typeof p));
values()
  .then(function (v) {
    out.push("values " + v);
    return adopt();
  })
  .then(function (v) {
    out.push(v);
    return obj.method("m", "extra");
  })
  .then(function (v) {
    out.push(v);
    return expr(4);
  })
  .then(function (v) {
    out.push("named " + v);
    return caught();
  })
  .then(function (v) {
    out.push(v);
    return p;
  })
  .then(null, function (e) {
    out.push("early rejection " + e.message);
    return throwsLate();
  })
  .then(null, function (e) {
    out.push("late rejection " + (e instanceof TypeError));
    return loop();
  })
  .then(function (v) {
    out.push("loop " + v);
    console.log(out.join("\n"));
  });
