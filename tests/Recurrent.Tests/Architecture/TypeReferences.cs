using System.Reflection;
using System.Reflection.Emit;

namespace Recurrent.Tests.Architecture;

/// <summary>
/// Lists the types one type refers to: its base type and interfaces, the types in its fields, properties, events
/// and method signatures (generic arguments and constraints included), the locals of its method bodies, and every
/// type, method and field token in their IL (<c>newobj</c>, <c>call</c>, <c>ldfld</c>, <c>ldtoken</c>, <c>box</c>, …),
/// resolved through <see cref="Module.ResolveMember(int, Type[], Type[])"/> with the method's generic context.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>One reference: the type referred to and where the reference was found.</summary>
    public readonly record struct Reference(Type Target, string Via);

    /// <summary>Gets every reference <paramref name="type"/>'s own declaration and members make (not its nested types').</summary>
    public static List<Reference> Of(Type type)
    {
        var found = new List<Reference>();
        void Add(Type? t, string via) => Expand(t, via, found);

        Add(type.BaseType, "base type");
        foreach (Type i in type.GetInterfaces())
        {
            Add(i, "interface");
        }

        if (type.IsGenericTypeDefinition)
        {
            foreach (Type parameter in type.GetGenericArguments())
            {
                foreach (Type constraint in parameter.GetGenericParameterConstraints())
                {
                    Add(constraint, "generic constraint");
                }
            }
        }

        foreach (FieldInfo field in type.GetFields(Declared))
        {
            Add(field.FieldType, "field " + field.Name);
        }

        foreach (PropertyInfo property in type.GetProperties(Declared))
        {
            Add(property.PropertyType, "property " + property.Name);
        }

        foreach (EventInfo e in type.GetEvents(Declared))
        {
            Add(e.EventHandlerType, "event " + e.Name);
        }

        foreach (MethodBase method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            string name = method.Name;
            if (method is MethodInfo info)
            {
                Add(info.ReturnType, "return of " + name);
                if (info.IsGenericMethodDefinition)
                {
                    foreach (Type parameter in info.GetGenericArguments())
                    {
                        foreach (Type constraint in parameter.GetGenericParameterConstraints())
                        {
                            Add(constraint, "generic constraint of " + name);
                        }
                    }
                }
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Add(parameter.ParameterType, $"parameter {parameter.Name} of {name}");
            }

            MethodBody? body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            foreach (LocalVariableInfo local in body.LocalVariables)
            {
                Add(local.LocalType, "local of " + name);
            }

            byte[]? il = body.GetILAsByteArray();
            if (il is not null)
            {
                ScanIL(method, il, found);
            }
        }

        return found;
    }

    // Walks the IL instruction by instruction and resolves every metadata token that names a type, method or field.
    private static void ScanIL(MethodBase method, byte[] il, List<Reference> found)
    {
        Module module = method.Module;
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        string via = "body of " + method.Name;
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[position++]));
            }

            if (!s_opCodes.TryGetValue(value, out OpCode opCode))
            {
                throw new InvalidOperationException($"Unknown IL opcode 0x{value:X} at offset {position - 1} in {method.DeclaringType}.{method.Name}.");
            }

            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineSwitch:
                    int count = BitConverter.ToInt32(il, position);
                    position += 4 + (4 * count);
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    int token = BitConverter.ToInt32(il, position);
                    position += 4;
                    MemberInfo member = module.ResolveMember(token, typeArguments, methodArguments)
                        ?? throw new InvalidOperationException($"Token 0x{token:X8} in {method.DeclaringType}.{method.Name} did not resolve.");
                    AddMember(member, via, found);
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR: a 4-byte operand without a type
                    position += 4;
                    break;
            }
        }
    }

    private static void AddMember(MemberInfo member, string via, List<Reference> found)
    {
        switch (member)
        {
            case Type type:
                Expand(type, via, found);
                break;
            case FieldInfo field:
                Expand(field.DeclaringType, via, found);
                Expand(field.FieldType, via, found);
                break;
            case MethodBase method:
                Expand(method.DeclaringType, via, found);
                if (method is MethodInfo info)
                {
                    Expand(info.ReturnType, via, found);
                    if (info.IsGenericMethod)
                    {
                        foreach (Type argument in info.GetGenericArguments())
                        {
                            Expand(argument, via, found);
                        }
                    }
                }

                foreach (ParameterInfo parameter in method.GetParameters())
                {
                    Expand(parameter.ParameterType, via, found);
                }

                break;
        }
    }

    // Adds a type and the types it is made of (element types, generic definition and arguments).
    private static void Expand(Type? type, string via, List<Reference> found)
    {
        while (type is not null && (type.HasElementType))
        {
            type = type.GetElementType();
        }

        if (type is null || type.IsGenericParameter)
        {
            return;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Expand(argument, via, found);
            }

            type = type.GetGenericTypeDefinition();
        }

        found.Add(new Reference(type, via));
    }
}
