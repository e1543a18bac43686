import { Module } from '@nestjs/common';
import { AlertHub } from './alert-hub.js';
import { AlertsController } from './alerts.controller.js';

/**
 * The alert hub (tail of the alerts topic, recent alerts, live stream) and the `/alerts` API.
 *
 * @example
 * ```ts
 * imports: [AlertsModule]
 * ```
 */
@Module({ providers: [AlertHub], controllers: [AlertsController], exports: [AlertHub] })
export class AlertsModule {}
