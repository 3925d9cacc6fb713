// Re-exports of the fixture builder for the tests (one import path).
export {
  boundaryFor,
  FIXTURE_OUR_MESSAGE_ID,
  FIXTURE_SUPPORT_ADDRESS,
  FIXTURE_TICKET_ID,
  FIXTURES,
  normalizeFixture,
} from '../../fixtures/sendgrid/build.js';
export { buildMultipart } from '../../adapters/sendgrid/multipart.js';
