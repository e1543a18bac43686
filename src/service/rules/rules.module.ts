import { Module } from '@nestjs/common';
import { RulesController } from './rules.controller.js';
import { RulesService } from './rules.service.js';

/**
 * Rule management: {@link RulesService} over the rule store (provided by the storage module) and
 * the `/rules` API.
 *
 * @example
 * ```ts
 * imports: [RulesModule]
 * ```
 */
@Module({ providers: [RulesService], controllers: [RulesController], exports: [RulesService] })
export class RulesModule {}
