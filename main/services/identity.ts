// Who the operator is, as the API server says (SelfSubjectReview), not the
// kubeconfig's local alias: the `sub` of every link they issue.
import { DesktopFailure } from './errors.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';

interface Review {
  status?: { userInfo?: { username?: string } };
}

export async function whoAmI(client: KubeClient): Promise<string> {
  for (const version of ['v1', 'v1beta1']) {
    try {
      const review = await client.request<Review>('POST', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
        apiVersion: `authentication.k8s.io/${version}`,
        kind: 'SelfSubjectReview',
      });
      const username = review.status?.userInfo?.username;
      if (!username) throw new DesktopFailure('internal', `the API server of context "${client.context}" did not say who you are`, client.context);
      return username;
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
    }
  }
  throw new DesktopFailure('unsupported', `the cluster of context "${client.context}" cannot say who you are (no SelfSubjectReview API; Kubernetes 1.28 or later has it)`, client.context);
}

/** One answer per context, refreshed when the kubeconfig changes. */
export class IdentityCache {
  private readonly known = new Map<string, Promise<string>>();

  get(client: KubeClient): Promise<string> {
    let answer = this.known.get(client.context);
    if (!answer) {
      answer = whoAmI(client);
      answer.catch(() => this.known.delete(client.context));
      this.known.set(client.context, answer);
    }
    return answer;
  }

  forget(context: string): void {
    this.known.delete(context);
  }
}
