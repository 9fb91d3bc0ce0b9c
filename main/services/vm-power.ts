// Starting, stopping, restarting, pausing and unpausing a VM with the person's
// own credentials, and which of those they may do: one SelfSubjectAccessReview
// per action and VM (KubeVirt's `virtualmachines/start|stop|restart` and
// `virtualmachineinstances/pause|unpause`), kept briefly so opening the same
// details twice does not ask five questions again. Refusals come back in words.
import {
  powerQuestion, readAccessReview, selfSubjectAccessReview, SELF_SUBJECT_ACCESS_REVIEW_PATH, VM_POWER_ACTIONS, type VmPowerAction,
} from '../../shared/access-review.ts';
import { powerPath } from '../../shared/kubevirt-paths.ts';
import { DesktopFailure } from './errors.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';

export interface VmPowerOptions {
  now?: () => number;
  /** How long an answer about what a person may do is reused. */
  cacheMs?: number;
}

const DEFAULT_CACHE_MS = 30_000;

/** The action as a verb and as what the VM then is, for sentences. */
const WORDS: Record<VmPowerAction, { verb: string; done: string }> = {
  start: { verb: 'start', done: 'started' },
  stop: { verb: 'stop', done: 'stopped' },
  restart: { verb: 'restart', done: 'restarted' },
  pause: { verb: 'pause', done: 'paused' },
  unpause: { verb: 'unpause', done: 'unpaused' },
};

/** KubeVirt's 409 and 404 reasons, as what they mean for the person. */
function refusalInWords(action: VmPowerAction, name: string, status: number | undefined, raw: string): string | undefined {
  const { done } = WORDS[action];
  if (/already underway/i.test(raw)) return `The VM ${name} is already starting or stopping; try again once it has`;
  if (/already running/i.test(raw)) return `The VM ${name} is already running`;
  if (/already paused/i.test(raw)) return `The VM ${name} is already paused`;
  if (/VMI is not paused/i.test(raw)) return `The VM ${name} is not paused`;
  if (/not running|does not support manual restart/i.test(raw) || (status === 404 && /virtualmachineinstance/i.test(raw))) {
    return `The VM ${name} is not running, so it cannot be ${done}`;
  }
  if (status === 404) return `There is no VM named ${name} any more`;
  return undefined;
}

export class VmPower {
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly answers = new Map<string, { at: number; actions: Promise<VmPowerAction[]> }>();

  constructor(options: VmPowerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  }

  /** The actions the API server lets this person take on this VM, whatever state it is in now. */
  allowedActions(client: KubeClient, namespace: string, name: string): Promise<VmPowerAction[]> {
    const questions = VM_POWER_ACTIONS.map((action) => ({ action, question: powerQuestion(namespace, name, action) }));
    const key = `${client.context}\n${namespace}\n${name}`;
    const cached = this.answers.get(key);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.actions;
    const actions = Promise.all(questions.map(async ({ action, question }) => ((await this.ask(client, question)) ? [action] : []))).then((lists) => lists.flat());
    this.answers.set(key, { at: this.now(), actions });
    // A failure is not an answer: ask again next time.
    actions.catch(() => this.answers.delete(key));
    return actions;
  }

  /** Asks KubeVirt to act; resolves once it has accepted (the VM's status follows in the inventory). */
  async power(client: KubeClient, namespace: string, name: string, action: VmPowerAction): Promise<void> {
    const path = powerPath(namespace, name, action);
    try {
      await client.request('PUT', path, {});
    } catch (error) {
      throw this.inWords(error, client.context, namespace, name, action);
    }
  }

  /** Drops remembered answers, of one context or all (its credentials changed). */
  forget(context?: string): void {
    if (context === undefined) this.answers.clear();
    else for (const key of this.answers.keys()) if (key.startsWith(`${context}\n`)) this.answers.delete(key);
  }

  private async ask(client: KubeClient, question: ReturnType<typeof powerQuestion>): Promise<boolean> {
    try {
      return readAccessReview(await client.request('POST', SELF_SUBJECT_ACCESS_REVIEW_PATH, selfSubjectAccessReview(question))).allowed;
    } catch (error) {
      // Someone who may not even ask is offered nothing.
      if (httpStatusOf(error) === 403) return false;
      throw error;
    }
  }

  private inWords(error: unknown, context: string, namespace: string, name: string, action: VmPowerAction): unknown {
    const status = httpStatusOf(error);
    if (status === undefined || !(error instanceof Error)) return error;
    const raw = error.message;
    const { verb } = WORDS[action];
    if (status === 403) {
      return new DesktopFailure('forbidden', `You may not ${verb} ${name} in ${namespace} (context "${context}"). The API server said: ${raw}`, context);
    }
    const words = status === 404 || status === 409 ? refusalInWords(action, name, status, raw) : undefined;
    if (words !== undefined) {
      return new DesktopFailure(status === 404 && !/not running/.test(words) ? 'not-found' : 'unsupported', `${words}. KubeVirt said: ${raw}`, context);
    }
    return new DesktopFailure((error as { code?: DesktopFailure['code'] }).code ?? 'internal', `Could not ${verb} ${name} in ${namespace}: ${raw}`, context);
  }
}

