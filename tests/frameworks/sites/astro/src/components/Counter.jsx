import { useState } from 'preact/hooks';

// The island: it counts only once hydrated, so the count proves hydration.
export default function Counter({ label }) {
  const [count, setCount] = useState(0);
  return (
    <button type="button" class="counter" data-hydrated="yes" onClick={() => setCount(count + 1)}>
      {label}: {count}
    </button>
  );
}
