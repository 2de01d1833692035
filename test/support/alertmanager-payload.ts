/**
 * Alertmanager webhook payloads as Alertmanager sends them (version "4": groupKey, truncatedAlerts,
 * status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL, and per alert
 * status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint). Shape per the
 * Alertmanager configuration docs (webhook_config); values modelled on a checkout service.
 */
export interface AlertOpts {
  alertname?: string;
  severity?: string;
  instance?: string;
  status?: 'firing' | 'resolved';
  summary?: string;
  extraLabels?: Record<string, string>;
  fingerprint?: string;
}

export function alert(o: AlertOpts = {}) {
  const alertname = o.alertname ?? 'CheckoutHighErrorRate';
  const instance = o.instance ?? 'checkout-7d9f8b6c5-x2k4q:8080';
  const status = o.status ?? 'firing';
  return {
    status,
    labels: {
      alertname,
      service: 'checkout',
      env: 'prod',
      job: 'checkout-api',
      namespace: 'payments',
      instance,
      severity: o.severity ?? 'critical',
      ...o.extraLabels,
    },
    annotations: {
      summary: o.summary ?? `Checkout 5xx ratio above 5% on ${instance}`,
      description: 'More than 5% of checkout requests failed over the last 5 minutes.',
      runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
    },
    startsAt: '2026-11-26T13:57:41.312Z',
    endsAt: status === 'resolved' ? '2026-11-26T14:21:11.902Z' : '0001-01-01T00:00:00Z',
    generatorURL:
      'http://prometheus.example.com:9090/graph?g0.expr=sum%28rate%28http_requests_total%7Bjob%3D%22checkout-api%22%2Ccode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1',
    fingerprint: o.fingerprint ?? 'a3f1c09e2b7d4e58',
  };
}

type Alert = ReturnType<typeof alert>;

/** A group as Alertmanager builds it: common labels/annotations are those all alerts share. */
export function alertGroup(
  alerts: Alert[],
  o: { status?: 'firing' | 'resolved'; groupKey?: string; truncatedAlerts?: number } = {},
) {
  const common = <K extends 'labels' | 'annotations'>(k: K) => {
    const first = alerts[0]?.[k] ?? {};
    return Object.fromEntries(
      Object.entries(first).filter(([name, v]) =>
        alerts.every((a) => (a[k] as Record<string, string>)[name] === v),
      ),
    );
  };
  const status = o.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
  return {
    version: '4',
    groupKey:
      o.groupKey ??
      '{}/{severity=~"critical|warning"}:{alertname="CheckoutHighErrorRate", service="checkout"}',
    truncatedAlerts: o.truncatedAlerts ?? 0,
    status,
    receiver: 'runbook-bot',
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? 'CheckoutHighErrorRate', service: 'checkout' },
    commonLabels: common('labels'),
    commonAnnotations: common('annotations'),
    externalURL: 'http://alertmanager.example.com:9093',
    alerts,
  };
}
