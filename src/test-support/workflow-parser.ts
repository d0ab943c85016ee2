/** GitHub's own workflow parser (@actions/workflow-parser, the one behind the Actions language server), for tests. */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow, type WorkflowTemplate } from '@actions/workflow-parser';

/** Parses and converts a workflow as GitHub would; returns every error message (empty: valid) and the model. */
export async function parseGithubWorkflow(name: string, content: string): Promise<{ errors: string[]; template?: WorkflowTemplate }> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (!result.value) return { errors: errors.length > 0 ? errors : ['no workflow'] };
  const template = await convertWorkflowTemplate(result.context, result.value);
  return { errors: [...errors, ...(template.errors ?? []).map((error) => error.Message)], template };
}
