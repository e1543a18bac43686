/** Which clock a timer belongs to, as passed to `onTimer`. */
export enum TimeDomain {
  EVENT_TIME = 'EVENT_TIME',
  PROCESSING_TIME = 'PROCESSING_TIME',
}
