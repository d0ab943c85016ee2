import { useState } from 'react';

export default function Home() {
  const [notes, setNotes] = useState('');
  const [summary, setSummary] = useState(null);
  async function summarize() {
    const response = await globalThis.fetch('/api/summary', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo' },
      body: JSON.stringify({ patient: 'demo', notes }),
    });
    setSummary(await response.json());
  }
  return (
    <main style={{ maxWidth: 640, margin: '2rem auto', fontFamily: 'sans-serif' }}>
      <h1>Consultation notes</h1>
      <p>Publishable key: {process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ? 'set' : 'missing'}</p>
      <textarea rows={8} style={{ width: '100%' }} value={notes} onChange={(e) => setNotes(e.target.value)} />
      <button onClick={summarize}>Summarize</button>
      {summary && <pre>{JSON.stringify(summary, null, 2)}</pre>}
    </main>
  );
}
