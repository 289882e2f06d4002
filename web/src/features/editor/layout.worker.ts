// The Web Worker side of auto-layout for large DAGs.
import { layoutSync, type LayoutInput } from './layout'

self.onmessage = (e: MessageEvent<LayoutInput>) => {
  ;(self as unknown as Worker).postMessage(layoutSync(e.data))
}
