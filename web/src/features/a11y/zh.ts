// Chinese for the keyboard hints and the config dialog's explanations (help.ts).
import { help } from './help'

export default {
  'Placed on the canvas: {name}': '已放到画布：{name}',
  'Drag onto the canvas (or Enter on a job)': '拖拽到画布（或选中作业按回车）',
  'Enter: place on the canvas': '回车：放到画布',
  [help.mode]: '单一调度：按作业流的 cron 启动每次运行。离散调度：作业流的 cron 启动运行，设置了自己 cron（在作业对话框中）的作业会等到该 cron 的下一个触发时间再执行。',
  [help.dst]: '在调度时区的夏令时切换当晚，触发时间如何处理。',
  [help.catchup]: '调度服务在触发时间不可用时，只要在这么多秒内恢复，运行仍会启动；更早错过的触发时间会被丢弃。',
  [help.failure]: '继续其他分支：其他分支继续执行，失败作业的下游变为“上游失败”。结束运行：第一个失败即停止正在运行的作业，不再启动新作业。',
  [help.parallelism]: '一次运行中最多同时执行这么多个作业，其余排队等待（等待状态）。',
  [help.params]: '每行 KEY=value；作业以 ${params.KEY} 读取；每次运行可以覆盖。',
  [help.alarms]: '每条规则把所选事件按模板发送到所选渠道；含作业事件的规则可以只针对部分作业。',
  [help.overlap.SKIP]: '到触发时间时上一次运行还没结束：跳过本次。',
  [help.overlap.BUFFER_ONE]: '等正在运行的结束后再启动；最多缓冲一次，之后的跳过。',
  [help.overlap.BUFFER_ALL]: '等正在运行的结束后依次启动，不跳过任何一次。',
  [help.overlap.CANCEL_OTHER]: '取消正在运行的，再启动新的一次。',
  [help.overlap.TERMINATE_OTHER]: '终止正在运行的，再启动新的一次。',
  [help.overlap.ALLOW_ALL]: '照常启动：同一作业流的多次运行可以同时进行。',
} as Record<string, string>
