import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../viewer/viewer.css';
import './app.css';
import { desktopClient } from '../api/index.ts';
import type { RendererClient } from '../api/types.ts';
import { App } from './App.tsx';
import { ClientProvider } from './client.tsx';

const mount = document.getElementById('root');
if (!mount) throw new Error('the app page has no #root element');
const root = createRoot(mount);

let client: RendererClient | undefined;
let problem = '';
try {
  client = desktopClient();
} catch (error) {
  problem = error instanceof Error ? error.message : String(error);
}

root.render(
  <StrictMode>
    {client ? (
      <ClientProvider value={client}>
        <App />
      </ClientProvider>
    ) : (
      <p className="alert alert--page" role="alert">Gatepass cannot reach its main process: {problem}</p>
    )}
  </StrictMode>,
);
