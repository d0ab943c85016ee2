/**
 * How a job's `timeout` is enforced. ECS has no run time limit for a task, so berth watches each scheduled run:
 * an EventBridge rule per job sees the run's task start RUNNING (ECS task state change, the job's task group
 * `family:<family>`) and starts one execution of this environment's state machine, which waits the job's timeout and
 * then calls ecs:StopTask with the reason "berth: job <name> ran longer than its timeout". A run that ended before
 * is no longer running: StopTask then does nothing (or ECS has forgotten the task, which the machine treats as done).
 * The time counts from RUNNING, so pulling the image is not part of it. One-off tasks (`release.before`,
 * `berth run`) use another task group and are not watched.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { jobTaskGroup } from '../../model/index.js';

export interface JobTimeoutsProps {
  readonly cluster: ecs.ICluster;
  /** The cluster's name, to scope ecs:StopTask to its tasks. */
  readonly clusterName: string;
}

/** The input one execution receives (the rule's input transformer builds it). */
export interface JobTimeoutInput {
  cluster: string;
  taskArn: string;
  job: string;
  timeoutSeconds: number;
}

export class JobTimeouts extends Construct {
  readonly stateMachine: sfn.StateMachine;
  private readonly cluster: ecs.ICluster;

  constructor(scope: Construct, id: string, props: JobTimeoutsProps) {
    super(scope, id);
    this.cluster = props.cluster;
    const stack = Stack.of(this);
    const wait = new sfn.Wait(this, 'WaitForTimeout', { time: sfn.WaitTime.secondsPath('$.timeoutSeconds') });
    const stop = new tasks.CallAwsService(this, 'StopTask', {
      service: 'ecs',
      action: 'stopTask',
      iamAction: 'ecs:StopTask',
      iamResources: [`arn:${stack.partition}:ecs:${stack.region}:${stack.account}:task/${props.clusterName}/*`],
      parameters: {
        Cluster: sfn.JsonPath.stringAt('$.cluster'),
        Task: sfn.JsonPath.stringAt('$.taskArn'),
        Reason: sfn.JsonPath.format('berth: job {} ran longer than its timeout ({} s)', sfn.JsonPath.stringAt('$.job'), sfn.JsonPath.stringAt('$.timeoutText')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    // ECS forgets stopped tasks after a while; a run that ended long before the timeout is then simply done.
    stop.addCatch(new sfn.Succeed(this, 'RunAlreadyGone'), { errors: ['Ecs.InvalidParameterException'], resultPath: sfn.JsonPath.DISCARD });
    // Cost: Step Functions standard workflows bill per state transition (up to 3 per run: wait, stop, end).
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(wait.next(stop)),
      comment: 'berth: stops a scheduled job run that outlives its timeout',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason: 'Each execution is one wait and one ecs:StopTask; its history is kept by Step Functions for 90 days and the stopped task records the reason, so CloudWatch Logs would only add cost.',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF2',
      reason: 'A wait and one API call: X-Ray traces would show nothing the execution history does not.',
    });
    // cdk-nag names the finding by the resource as written, with pseudo parameters in angle brackets.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    Validations.of(this.stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:task/${props.clusterName}/*]`,
      reason: 'ecs:StopTask is scoped to the tasks of this environment\'s cluster; the task ids of future runs are not known in advance.',
    });
  }

  /** Watches the runs of one job: a rule in `scope` starts the timer when a run's task is RUNNING. */
  watch(scope: Construct, id: string, job: { name: string; family: string; timeoutSeconds: number }): events.Rule {
    const input: Record<keyof JobTimeoutInput | 'timeoutText', unknown> = {
      cluster: events.EventField.fromPath('$.detail.clusterArn'),
      taskArn: events.EventField.fromPath('$.detail.taskArn'),
      job: job.name,
      timeoutSeconds: job.timeoutSeconds,
      timeoutText: String(job.timeoutSeconds),
    };
    return new events.Rule(scope, id, {
      description: `berth: stop a run of job ${job.name} after its timeout of ${job.timeoutSeconds} s`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [this.cluster.clusterArn], group: [jobTaskGroup(job.family)], lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] },
      },
      targets: [new eventTargets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject(input), retryAttempts: 3 })],
    });
  }
}
