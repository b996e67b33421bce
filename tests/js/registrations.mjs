// A toll-free registration driven by the AWS SDK for JavaScript v3 (a client that shares
// no code with botocore): create, fill, attach (waiting for the upload), associate, submit, describe.
// Usage: node registrations.mjs <endpoint-url>. Prints one JSON object for pytest.
import {
  CreateRegistrationCommand, PutRegistrationFieldValueCommand,
  CreateRegistrationAttachmentCommand, DescribeRegistrationAttachmentsCommand, RequestPhoneNumberCommand,
  CreateRegistrationAssociationCommand,
  SubmitRegistrationVersionCommand, DescribeRegistrationsCommand, DescribeRegistrationVersionsCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { clientFor, expectError } from "./common.mjs";

const [endpoint] = process.argv.slice(2);
const client = clientFor(endpoint);

const TEXT = {
  "companyInfo.companyName": "Example Corp", "companyInfo.website": "https://www.example.com",
  "companyInfo.address1": "1 Main Street", "companyInfo.city": "Seattle", "companyInfo.state": "WA",
  "companyInfo.zipCode": "98109", "companyInfo.isoCountryCode": "US",
  "companyInfo.taxId": "123456789", "companyInfo.taxIdCountry": "US",
  "contactInfo.firstName": "Ada", "contactInfo.lastName": "Lovelace",
  "contactInfo.supportEmail": "support@example.com", "contactInfo.supportPhoneNumber": "+12065550100",
  "messagingUseCase.useCaseDetails": "One-time passcodes for sign-in.",
  "messagingUseCase.optInDescription": "Users tick a box on the sign-up form.",
  "messageSamples.messageSample1": "Your Example Corp code is 123456. Reply STOP to opt out.",
};
const SELECT = {
  "companyInfo.businessType": ["PRIVATE_PROFIT"], "companyInfo.taxIdAuthority": ["EIN"],
  "messagingUseCase.monthlyMessageVolume": ["10,000"],
  "messagingUseCase.useCaseCategory": ["ONE_TIME_PASSCODES"], "messagingUseCase.optInType": ["DIGITAL_FORM"],
};

const out = {};
const reg = await client.send(new CreateRegistrationCommand({ RegistrationType: "US_TOLL_FREE_REGISTRATION" }));
const RegistrationId = reg.RegistrationId;
out.created = { RegistrationId, Status: reg.RegistrationStatus, createdIsDate: reg.CreatedTimestamp instanceof Date };
for (const [FieldPath, TextValue] of Object.entries(TEXT)) {
  await client.send(new PutRegistrationFieldValueCommand({ RegistrationId, FieldPath, TextValue }));
}
for (const [FieldPath, SelectChoices] of Object.entries(SELECT)) {
  await client.send(new PutRegistrationFieldValueCommand({ RegistrationId, FieldPath, SelectChoices }));
}
out.invalid = await expectError(client.send(new PutRegistrationFieldValueCommand({
  RegistrationId, FieldPath: "contactInfo.supportEmail", TextValue: "not an email" })));
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const image = await client.send(new CreateRegistrationAttachmentCommand({ AttachmentBody: png }));
out.uploadStatus = image.AttachmentStatus;
// AWS uploads the file after answering: wait for UPLOAD_COMPLETE (bounded) before binding it.
for (let poll = 0; poll < 10; poll++) {
  const found = await client.send(new DescribeRegistrationAttachmentsCommand({
    RegistrationAttachmentIds: [image.RegistrationAttachmentId] }));
  if (found.RegistrationAttachments[0].AttachmentStatus === "UPLOAD_COMPLETE") break;
}
await client.send(new PutRegistrationFieldValueCommand({
  RegistrationId, FieldPath: "messagingUseCase.optInImage", RegistrationAttachmentId: image.RegistrationAttachmentId }));
const phone = await client.send(new RequestPhoneNumberCommand({
  IsoCountryCode: "US", MessageType: "TRANSACTIONAL", NumberCapabilities: ["SMS"], NumberType: "TOLL_FREE" }));
await client.send(new CreateRegistrationAssociationCommand({ RegistrationId, ResourceId: phone.PhoneNumberId }));
const submitted = await client.send(new SubmitRegistrationVersionCommand({ RegistrationId }));
out.submitted = { VersionNumber: submitted.VersionNumber, Status: submitted.RegistrationVersionStatus,
                  AwsReview: submitted.AwsReview };
const described = await client.send(new DescribeRegistrationsCommand({ RegistrationIds: [RegistrationId] }));
out.described = described.Registrations.map((r) => ({ RegistrationId: r.RegistrationId, Status: r.RegistrationStatus,
                                                       CurrentVersionNumber: r.CurrentVersionNumber }));
const versions = await client.send(new DescribeRegistrationVersionsCommand({ RegistrationId }));
out.history = Object.keys(versions.RegistrationVersions[0].RegistrationVersionStatusHistory).sort();
out.phoneNumberId = phone.PhoneNumberId;
console.log(JSON.stringify(out));
