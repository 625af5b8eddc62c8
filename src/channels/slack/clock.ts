import type { HTTPReceiver } from '@slack/bolt';

/**
 * Bolt refuses a request signed more than five minutes ago but accepts one dated in the future, and
 * such a request, once captured, could be replayed until its date has passed. The same five
 * minutes hold the other way here: a request dated later than that is refused with 401.
 */
export function refuseFutureRequests(receiver: HTTPReceiver, maxSkewSeconds = 300): HTTPReceiver {
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const at = Number(req.headers['x-slack-request-timestamp']);
    if (at > Date.now() / 1000 + maxSkewSeconds) {
      res.writeHead(401).end();
      return;
    }
    inner(req, res);
  };
  return receiver;
}
