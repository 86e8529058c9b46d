/** A Kubernetes API `Status` object of a failed request, as the API server answers it. */
export function kubernetesStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, any>,
): Record<string, any> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}
