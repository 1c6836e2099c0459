import type { Backend, CallName, CallRequest, CallResponse, PreloadBridge } from '../../../shared/api';
import { isCallResult, unwrapCallResult } from './call-result';

/**
 * The Backend over Electron's preload bridge: calls go through IPC and come back as
 * `CallResult` envelopes, unwrapped here exactly as the WebSocket client unwraps them.
 */
export function createPreloadBackend(bridge: PreloadBridge): Backend {
  return {
    async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
      let result: unknown;
      try {
        result = await bridge.invoke(name, request);
      } catch (error) {
        // IPC itself failed (the main process is gone or restarting): say which call.
        throw new Error(
          `Hubwatch's main process did not answer "${name}": ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (!isCallResult(result))
        throw new Error(`Hubwatch's main process answered "${name}" with something unreadable`);
      return unwrapCallResult(result) as CallResponse<K>;
    },
    onPush(listener) {
      return bridge.onPush(listener);
    },
  };
}
