import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../viewer/viewer.css';
import { BrowserViewer } from './BrowserViewer.tsx';

const mount = document.getElementById('root');
if (!mount) throw new Error('the viewer page has no #root element');
createRoot(mount).render(<StrictMode><BrowserViewer /></StrictMode>);
