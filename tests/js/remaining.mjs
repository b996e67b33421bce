// Drives the families issue 15 adds (lookups, resource policies, Notify, RCS) with the AWS
// SDK for JavaScript v3. Usage: node remaining.mjs <endpoint-url>; prints one JSON object.
import {
  CarrierLookupCommand, DescribeOptOutListsCommand,
  GetResourcePolicyCommand, CreateNotifyConfigurationCommand, SendNotifyTextMessageCommand,
  CreateRcsAgentCommand, DescribeRcsAgentsCommand, DeleteRcsAgentCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { clientFor, expectError } from "./common.mjs";

const [endpoint] = process.argv.slice(2);
const client = clientFor(endpoint, "AKIAJAVASCRIPTSDK001");

const out = {};
out.lookup = await client.send(new CarrierLookupCommand({ PhoneNumber: "+33612345678" }));
const lists = await client.send(new DescribeOptOutListsCommand({}));
out.policy = await client.send(new GetResourcePolicyCommand({ ResourceArn: lists.OptOutLists[0].OptOutListArn }));
const config = await client.send(new CreateNotifyConfigurationCommand({
  DisplayName: "JS", UseCase: "CODE_VERIFICATION", EnabledChannels: ["SMS"],
}));
out.sent = await client.send(new SendNotifyTextMessageCommand({
  NotifyConfigurationId: config.NotifyConfigurationId, DestinationPhoneNumber: "+33612345678",
  TemplateVariables: { code: "424242" },
}));
const agent = await client.send(new CreateRcsAgentCommand({}));
out.agents = await client.send(new DescribeRcsAgentsCommand({ RcsAgentIds: [agent.RcsAgentId] }));
out.missing = await expectError(
  client.send(new DeleteRcsAgentCommand({ RcsAgentId: "rcs-00000000000000000000000000000000" })));
for (const value of Object.values(out)) delete value.$metadata;
console.log(JSON.stringify(out));
