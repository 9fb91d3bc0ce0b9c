// The app reaches main only through this client (L's renderer/api), handed down by context.

import { createContext, useContext } from 'react';
import type { RendererClient } from '../api/types.ts';

const ClientContext = createContext<RendererClient | null>(null);

export const ClientProvider = ClientContext.Provider;

export function useClient(): RendererClient {
  const client = useContext(ClientContext);
  if (client === null) throw new Error('useClient needs a ClientProvider above it');
  return client;
}
