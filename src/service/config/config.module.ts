import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { ServiceConfig } from './service-config.js';

/**
 * Injection token of the {@link ServiceConfig}.
 *
 * @example
 * ```ts
 * constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}
 * ```
 */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/**
 * Provides the validated {@link ServiceConfig} to every module (global).
 *
 * @example
 * ```ts
 * imports: [ConfigModule.forRoot(loadServiceConfig(process.env))]
 * ```
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG],
    };
  }
}
