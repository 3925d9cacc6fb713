// SendGrid email channel: Inbound Parse webhook in, v3 Mail Send out (see README.md).
import type { AdapterDeps, ChannelAdapter, ChannelModule } from '../../src/domain/channel.js';
import { sendgridConfig } from './config.js';
import { inboundRoute } from './routes.js';
import { createMailService, createSendGridSender, senderAvailability } from './send.js';
import { emailSimulators } from './simulate.js';
import { EMAIL_CHANNEL_DECLARATION, type SendGridSettings } from './types.js';

export function createSendGridAdapter(settings: SendGridSettings, deps: Pick<AdapterDeps, 'logger'>): ChannelAdapter {
  const availability = senderAvailability(settings);
  const sender = availability.ok
    ? createSendGridSender({
        mail: createMailService(settings.SENDGRID_API_KEY!, settings.SENDGRID_API_BASE_URL),
        supportAddress: availability.from,
      })
    : null;
  if (!settings.INBOUND_EMAIL_SECRET) {
    deps.logger.warn({}, 'INBOUND_EMAIL_SECRET is not set: every SendGrid Inbound Parse post will be refused with 403');
  }
  return {
    name: 'sendgrid',
    routes: [inboundRoute(settings)],
    sender,
    ...(availability.ok ? {} : { senderDisabledReason: availability.reason }),
  };
}

export const sendgridModule: ChannelModule<typeof sendgridConfig.schema.shape> = {
  name: 'sendgrid',
  channels: [EMAIL_CHANNEL_DECLARATION],
  config: sendgridConfig,
  create: createSendGridAdapter,
  simulators: emailSimulators,
};
export default sendgridModule;
